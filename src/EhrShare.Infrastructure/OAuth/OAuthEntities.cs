namespace EhrShare.Infrastructure.OAuth;

/// <summary>An OAuth client known to the authorization server (OpenIddict's application), kept in the app database.
/// List and dictionary values are JSON text; <see cref="ConcurrencyToken"/> changes on every update.</summary>
public class OAuthApplication
{
    public string Id { get; set; } = Guid.NewGuid().ToString();

    public string? ApplicationType { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The secret's hash as OpenIddict made it (never the secret); null for public clients.</summary>
    public string? ClientSecret { get; set; }

    public string? ClientType { get; set; }

    public string? ConsentType { get; set; }

    public string? DisplayName { get; set; }

    public string? DisplayNames { get; set; }

    public string? JsonWebKeySet { get; set; }

    public string? Permissions { get; set; }

    public string? PostLogoutRedirectUris { get; set; }

    public string? Properties { get; set; }

    public string? RedirectUris { get; set; }

    public string? Requirements { get; set; }

    public string? Settings { get; set; }

    public string ConcurrencyToken { get; set; } = Guid.NewGuid().ToString();
}

/// <summary>A user's consent to a client for some scopes (OpenIddict's authorization).</summary>
public class OAuthAuthorization : IOAuthGrant
{
    public string Id { get; set; } = Guid.NewGuid().ToString();

    public string? ApplicationId { get; set; }

    public DateTimeOffset? CreationDate { get; set; }

    public string? Properties { get; set; }

    public string? Scopes { get; set; }

    public string? Status { get; set; }

    public string? Subject { get; set; }

    public string? Type { get; set; }

    public string ConcurrencyToken { get; set; } = Guid.NewGuid().ToString();
}

/// <summary>A scope the server knows (OpenIddict's scope).</summary>
public class OAuthScope
{
    public string Id { get; set; } = Guid.NewGuid().ToString();

    public string? Name { get; set; }

    public string? Description { get; set; }

    public string? Descriptions { get; set; }

    public string? DisplayName { get; set; }

    public string? DisplayNames { get; set; }

    public string? Properties { get; set; }

    public string? Resources { get; set; }

    public string ConcurrencyToken { get; set; } = Guid.NewGuid().ToString();
}

/// <summary>An issued token's entry (OpenIddict's token): what revocation and redemption act on. The payload column is
/// used only for reference tokens, which this server does not issue.</summary>
public class OAuthToken : IOAuthGrant
{
    public string Id { get; set; } = Guid.NewGuid().ToString();

    public string? ApplicationId { get; set; }

    public string? AuthorizationId { get; set; }

    public DateTimeOffset? CreationDate { get; set; }

    public DateTimeOffset? ExpirationDate { get; set; }

    public string? Payload { get; set; }

    public string? Properties { get; set; }

    public DateTimeOffset? RedemptionDate { get; set; }

    public string? ReferenceId { get; set; }

    public string? Status { get; set; }

    public string? Subject { get; set; }

    public string? Type { get; set; }

    public string ConcurrencyToken { get; set; } = Guid.NewGuid().ToString();
}

/// <summary>What an authorization and a token entry have in common: a client's grant to a subject, with a status that
/// revocation sets (<see cref="OAuthGrantStore{TEntity}"/> keeps both by these).</summary>
public interface IOAuthGrant
{
    string Id { get; set; }

    string? ApplicationId { get; set; }

    DateTimeOffset? CreationDate { get; set; }

    string? Properties { get; set; }

    string? Status { get; set; }

    string? Subject { get; set; }

    string? Type { get; set; }

    string ConcurrencyToken { get; set; }
}
