using System.ComponentModel.DataAnnotations;

namespace EhrShare.Infrastructure.Mail;

/// <summary>Outgoing mail through SMTP (section <c>Smtp</c>); off unless <see cref="Enabled"/>.</summary>
public sealed class SmtpOptions : IValidatableObject
{
    public const string Section = "Smtp";

    /// <summary>Send mail (env <c>Smtp__Enabled</c>; default false: password reset by email is then unavailable).</summary>
    public bool Enabled { get; set; }

    /// <summary>The SMTP server (env <c>Smtp__Host</c>).</summary>
    public string Host { get; set; } = "";

    /// <summary>Its port (env <c>Smtp__Port</c>; 587).</summary>
    [Range(1, 65535, ErrorMessage = "Smtp:Port must be between 1 and 65535.")]
    public int Port { get; set; } = 587;

    /// <summary><c>StartTls</c> (default: refuse a server without STARTTLS), <c>SslOnConnect</c> (port 465) or <c>None</c> (a relay on loopback only).</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Account on the server (env <c>Smtp__UserName</c>); empty for none.</summary>
    public string UserName { get; set; } = "";

    /// <summary>Its password (env <c>Smtp__Password</c>, a secret).</summary>
    public string Password { get; set; } = "";

    /// <summary>Sender address (env <c>Smtp__From</c>), e.g. <c>EhrShare &lt;no-reply@ehr.example.org&gt;</c>.</summary>
    public string From { get; set; } = "";

    /// <summary>
    /// The app's public address that links in mail point to (env <c>Smtp__LinkBaseUrl</c>). Taken from here, never
    /// from the request's Host header, which a caller chooses.
    /// </summary>
    public string LinkBaseUrl { get; set; } = "";

    /// <summary>Per-attempt timeout (env <c>Smtp__Timeout</c>; 30 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(Host))
        {
            yield return new ValidationResult("Smtp:Host is required when Smtp:Enabled is true (env Smtp__Host).", [nameof(Host)]);
        }

        if (!MimeKit.MailboxAddress.TryParse(From, out _))
        {
            yield return new ValidationResult("Smtp:From must be a mail address when Smtp:Enabled is true (env Smtp__From).", [nameof(From)]);
        }

        if (!Uri.TryCreate(LinkBaseUrl, UriKind.Absolute, out var link) || (link.Scheme != Uri.UriSchemeHttps && link.Scheme != Uri.UriSchemeHttp))
        {
            yield return new ValidationResult("Smtp:LinkBaseUrl must be the app's public http(s) address when Smtp:Enabled is true (env Smtp__LinkBaseUrl).", [nameof(LinkBaseUrl)]);
        }
    }
}

public enum SmtpSecurity
{
    StartTls,
    SslOnConnect,
    None,
}
