using System.Security.Cryptography;
using EhrShare.Core.Common;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EhrShare.Infrastructure.OAuth;

/// <summary>A registered device as its patient sees it.</summary>
public sealed record DeviceSummary(Guid Id, string Name, string ClientId, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>A device just registered: the secret is shown this once and kept only as OpenIddict's hash.</summary>
public sealed record RegisteredDevice(DeviceSummary Device, string ClientSecret);

/// <summary>A patient's gateway devices: register (a confidential OAuth client that may only use the client credentials
/// grant for <see cref="FhirScopes.PatientObservationCreate"/>), list, revoke (the client and every token it holds are
/// deleted, so its tokens stop working at once).</summary>
public sealed class GatewayDevices(EhrDbContext db, IOpenIddictApplicationManager applications, TimeProvider clock)
{
    public const int MaxNameLength = 100;
    public const int MaxActiveDevices = 20;

    public async Task<RegisteredDevice> RegisterAsync(string patientUserId, string? name, CancellationToken cancellationToken)
    {
        var clean = UserText.CleanLine(name ?? "");
        if (clean.Length is < 1 or > MaxNameLength)
        {
            throw new ValidationFailedException($"Give the device a name (up to {MaxNameLength} characters).", "Name");
        }

        var active = await db.GatewayDevices.CountAsync(d => d.PatientUserId == patientUserId && d.RevokedAt == null, cancellationToken);
        if (active >= MaxActiveDevices)
        {
            throw new ValidationFailedException($"You have {MaxActiveDevices} devices already: revoke one you no longer use first.", "Name");
        }

        var device = new GatewayDevice
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            PatientUserId = patientUserId,
            Name = clean,
            ClientId = "device-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            CreatedAt = clock.GetUtcNow(),
        };
        var secret = Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = device.ClientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = clean,
            Permissions =
            {
                Permissions.Endpoints.Token,
                Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.ClientCredentials,
                Permissions.Prefixes.Scope + FhirScopes.PatientObservationCreate,
            },
        };

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await applications.CreateAsync(descriptor, cancellationToken);
        db.GatewayDevices.Add(device);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RegisteredDevice(Summary(device), secret);
    }

    public async Task<IReadOnlyList<DeviceSummary>> ListAsync(string patientUserId, CancellationToken cancellationToken)
    {
        var devices = await db.GatewayDevices.AsNoTracking()
            .Where(d => d.PatientUserId == patientUserId)
            .OrderBy(d => d.RevokedAt != null).ThenByDescending(d => d.CreatedAt)
            .ToListAsync(cancellationToken);
        return devices.Select(Summary).ToList();
    }

    public async Task RevokeAsync(string patientUserId, Guid deviceId, CancellationToken cancellationToken)
    {
        var device = await db.GatewayDevices.FirstOrDefaultAsync(d => d.Id == deviceId && d.PatientUserId == patientUserId, cancellationToken)
            ?? throw new NotFoundException("That device does not exist.");
        if (device.RevokedAt is not null)
        {
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await applications.FindByClientIdAsync(device.ClientId, cancellationToken) is { } application)
        {
            await applications.DeleteAsync(application, cancellationToken);
        }

        device.RevokedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The device behind a client id, if it is still registered.</summary>
    public async Task<GatewayDevice?> FindActiveAsync(string clientId, CancellationToken cancellationToken) =>
        await db.GatewayDevices.FirstOrDefaultAsync(d => d.ClientId == clientId && d.RevokedAt == null, cancellationToken);

    /// <summary>Records that the device obtained a token now.</summary>
    public async Task MarkUsedAsync(GatewayDevice device, CancellationToken cancellationToken)
    {
        device.LastUsedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    private static DeviceSummary Summary(GatewayDevice d) => new(d.Id, d.Name, d.ClientId, d.CreatedAt, d.LastUsedAt, d.RevokedAt);

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
