using EhrShare.Core.Users;
using EhrShare.Infrastructure.Ethereum.Crypto;

namespace EhrShare.Infrastructure.Chain;

/// <summary>
/// <see cref="IAccountKeys"/>: a fresh secp256k1 key per user (cryptographically secure random), kept only in
/// protected form (<see cref="AccountSigner"/>). The account is returned unsaved; the caller saves it.
/// </summary>
internal sealed class ChainAccountKeys(AccountSigner signer, TimeProvider time) : IAccountKeys
{
    public ChainAccount Create(string userId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        var key = EthKey.Generate();
        return new ChainAccount
        {
            UserId = userId,
            Address = key.Address.ToString(),
            ProtectedPrivateKey = signer.Protect(key),
            CreatedAt = time.GetUtcNow(),
        };
    }
}
