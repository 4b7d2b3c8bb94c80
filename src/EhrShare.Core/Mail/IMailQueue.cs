namespace EhrShare.Core.Mail;

/// <summary>A plain-text message to one recipient.</summary>
public sealed record OutgoingMail(string To, string Subject, string Body);

/// <summary>
/// Mail sent in the background: a request only queues it, so whether a message was sent (an existing account) or not
/// does not show in the response time. Implemented with SMTP in Infrastructure.
/// </summary>
public interface IMailQueue
{
    /// <summary>False when SMTP is not configured (<c>Smtp:Enabled</c>): nothing can be sent.</summary>
    bool Enabled { get; }

    /// <summary>The public address of the app that links in mail start with, e.g. <c>https://ehr.example.org</c>.</summary>
    Uri LinkBase { get; }

    /// <summary>Queues <paramref name="mail"/>; it is sent (with retries) by a background service.</summary>
    ValueTask EnqueueAsync(OutgoingMail mail, CancellationToken cancellationToken);
}
