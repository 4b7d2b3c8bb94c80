namespace EhrShare.Infrastructure.OAuth;

/// <summary>
/// A gateway (a phone or hub that collects a patient's wearable readings) registered by the patient. It signs in with
/// the OAuth client credentials grant as the confidential client <see cref="ClientId"/>, whose secret OpenIddict keeps
/// hashed; its tokens may only add Observations to this patient's records.
/// </summary>
public class GatewayDevice
{
    public Guid Id { get; set; }

    public string PatientUserId { get; set; } = "";

    public string Name { get; set; } = "";

    public string ClientId { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it last obtained a token.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
