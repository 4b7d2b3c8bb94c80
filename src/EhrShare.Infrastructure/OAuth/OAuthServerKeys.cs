using System.Data.Common;
using System.Security.Cryptography;
using EhrShare.Infrastructure.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace EhrShare.Infrastructure.OAuth;

/// <summary>
/// The authorization server's RSA keys (one to sign, one to encrypt), made once for the whole deployment and kept in
/// the app database protected by Data Protection, so they survive restarts and every instance uses the same ones.
/// Instances starting together each offer a key; <c>INSERT IGNORE</c> keeps the first, and every instance then reads
/// that one. The tokens themselves are Data Protection payloads (docs/decisions/openiddict-with-own-stores.md); these
/// keys sign and encrypt what OpenIddict still formats as JWTs.
/// </summary>
public sealed class OAuthServerKeys(IServiceScopeFactory scopes, IDataProtectionProvider protection, TimeProvider clock)
{
    public const string Signing = "signing";
    public const string Encryption = "encryption";

    private readonly IDataProtector _protector = protection.CreateProtector("EhrShare.OAuth.ServerKeys");
    private (RsaSecurityKey Signing, RsaSecurityKey Encryption)? _loaded;

    /// <summary>Loads (making them if needed) both keys and keeps them for <see cref="TryLoadedOrLoad"/>.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var signing = await GetOrCreateAsync(Signing, cancellationToken);
        var encryption = await GetOrCreateAsync(Encryption, cancellationToken);
        _loaded = (signing, encryption);
    }

    /// <summary>
    /// The keys loaded at start, or loaded now (blocking) if that failed: for options, which are built synchronously.
    /// False when the database is out of reach.
    /// </summary>
    public bool TryLoadedOrLoad(out (RsaSecurityKey Signing, RsaSecurityKey Encryption) loaded)
    {
        if (_loaded is null)
        {
            try
            {
                LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is DbException || e.InnerException is DbException)
            {
                loaded = default;
                return false;
            }
        }

        loaded = _loaded!.Value;
        return true;
    }

    /// <summary>The key for <paramref name="purpose"/>, made and stored if the deployment has none yet.</summary>
    public async Task<RsaSecurityKey> GetOrCreateAsync(string purpose, CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EhrDbContext>();
        var stored = await db.Set<OAuthServerKey>().AsNoTracking().FirstOrDefaultAsync(k => k.Purpose == purpose, cancellationToken);
        if (stored is null)
        {
            using var candidate = RSA.Create(2048);
            var protectedKey = _protector.Protect(candidate.ExportPkcs8PrivateKey());
            var now = clock.GetUtcNow();
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT IGNORE INTO OAuthServerKeys (Purpose, ProtectedKey, CreatedAt) VALUES ({purpose}, {protectedKey}, {now})",
                cancellationToken);
            stored = await db.Set<OAuthServerKey>().AsNoTracking().SingleAsync(k => k.Purpose == purpose, cancellationToken);
        }

        var pkcs8 = _protector.Unprotect(stored.ProtectedKey);
        try
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            // The key id is derived from the public key, the same in every instance.
            var id = Convert.ToHexStringLower(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16];
            return new RsaSecurityKey(rsa) { KeyId = id };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }
}
