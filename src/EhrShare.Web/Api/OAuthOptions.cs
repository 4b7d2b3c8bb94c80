using System.ComponentModel.DataAnnotations;

namespace EhrShare.Web.Api;

/// <summary>Settings of the OAuth 2 server behind the FHIR API (<c>OAuth:*</c>).</summary>
public sealed class OAuthOptions
{
    public const string Section = "OAuth";

    /// <summary>Life of an access token; a client with <c>offline_access</c> gets a new one with its refresh token.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    [Range(typeof(TimeSpan), "00:05:00", "90.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>The public client of the patients' and doctors' mobile app, registered (or updated) at start.</summary>
    [Required]
    public MobileClientOptions MobileClient { get; set; } = new();
}

public sealed class MobileClientOptions
{
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{3,100}$")]
    public string ClientId { get; set; } = "ehrshare-mobile";

    /// <summary>The name the consent page shows.</summary>
    [Required]
    [StringLength(200, MinimumLength = 1)]
    public string DisplayName { get; set; } = "EhrShare mobile app";

    /// <summary>Where the app receives the code: exact matches only (a private-use scheme, or a loopback address).</summary>
    [MinLength(1)]
    public List<string> RedirectUris { get; set; } = [];
}
