namespace EhrShare.Infrastructure.OAuth;

/// <summary>A key of the authorization server (signing or encryption), shared by every app instance: its private part
/// protected with the Data Protection key ring, which the instances share too.</summary>
public class OAuthServerKey
{
    /// <summary><see cref="OAuthServerKeys.Signing"/> or <see cref="OAuthServerKeys.Encryption"/>.</summary>
    public string Purpose { get; set; } = "";

    public byte[] ProtectedKey { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}
