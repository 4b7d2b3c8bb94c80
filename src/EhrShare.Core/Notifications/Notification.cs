using EhrShare.Core.Users;

namespace EhrShare.Core.Notifications;

/// <summary>What a notification is about; each role has its own kinds (<see cref="NotificationKinds.For"/>).</summary>
public enum NotificationKind
{
    /// <summary>Patient: a doctor asked for access to their records.</summary>
    AccessRequested = 1,

    /// <summary>Patient: a doctor declared an emergency on their records.</summary>
    EmergencyOnMe = 2,

    /// <summary>Doctor: a patient granted access.</summary>
    AccessGranted = 10,

    /// <summary>Doctor: a patient denied a request.</summary>
    AccessDenied = 11,

    /// <summary>Doctor: a patient revoked a grant.</summary>
    AccessRevoked = 12,

    /// <summary>Doctor: a grant ends within a day.</summary>
    GrantExpiringSoon = 13,

    /// <summary>Doctor: their account was suspended (by the manager or by the contract's penalties).</summary>
    Suspended = 14,

    /// <summary>Manager: a registration waits for approval.</summary>
    ApprovalPending = 20,

    /// <summary>Manager: a doctor declared an emergency (to review).</summary>
    EmergencyDeclared = 21,

    /// <summary>Manager: a share node has problems (unreachable, missing or corrupt shares).</summary>
    ShareNodeProblem = 22,
}

/// <summary>
/// One notification for one user. <see cref="Text"/> is written when the event happens and holds only what the
/// reader may see on the pages (a doctor gets a patient's address, never the name). <see cref="OnceKey"/>, when set,
/// makes the notification unique for its user: a background check or a second app instance that sees the same event
/// adds nothing.
/// </summary>
public class Notification
{
    public long Id { get; set; }

    public string UserId { get; set; } = "";

    public NotificationKind Kind { get; set; }

    public string Text { get; set; } = "";

    /// <summary>The app's page about it (a local path such as <c>/Patient/Access</c>).</summary>
    public string Link { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ReadAt { get; set; }

    public string? OnceKey { get; set; }
}

/// <summary>A kind the user turned off for email (in-app notifications stay). No row: mail on (the default).</summary>
public class NotificationMailOptOut
{
    public string UserId { get; set; } = "";

    public NotificationKind Kind { get; set; }
}

/// <summary>The kinds, their names on the settings page, and what an email says (no names, no health data).</summary>
public static class NotificationKinds
{
    public static IReadOnlyList<NotificationKind> For(string role) => role switch
    {
        Roles.Patient => [NotificationKind.AccessRequested, NotificationKind.EmergencyOnMe],
        Roles.Doctor => [NotificationKind.AccessGranted, NotificationKind.AccessDenied, NotificationKind.AccessRevoked, NotificationKind.GrantExpiringSoon, NotificationKind.Suspended],
        Roles.Admin => [NotificationKind.ApprovalPending, NotificationKind.EmergencyDeclared, NotificationKind.ShareNodeProblem],
        _ => [],
    };

    public static string Title(NotificationKind kind) => kind switch
    {
        NotificationKind.AccessRequested => "A doctor asks for access",
        NotificationKind.EmergencyOnMe => "Emergency access to my records",
        NotificationKind.AccessGranted => "Access granted",
        NotificationKind.AccessDenied => "Request denied",
        NotificationKind.AccessRevoked => "Access revoked",
        NotificationKind.GrantExpiringSoon => "Access ending within a day",
        NotificationKind.Suspended => "Account suspended",
        NotificationKind.ApprovalPending => "Registration waiting for approval",
        NotificationKind.EmergencyDeclared => "Emergency declared",
        NotificationKind.ShareNodeProblem => "Share node with problems",
        _ => kind.ToString(),
    };

    /// <summary>
    /// The email's sentence: the same event as the in-app text, without names, addresses or reasons (mail travels
    /// and is kept outside the app); the reader signs in to see the rest.
    /// </summary>
    public static string MailSentence(NotificationKind kind) => kind switch
    {
        NotificationKind.AccessRequested => "A doctor asked for access to your records.",
        NotificationKind.EmergencyOnMe => "A doctor declared an emergency and can read your records for a short time. The reason they gave is in the app.",
        NotificationKind.AccessGranted => "A patient granted you access to their records.",
        NotificationKind.AccessDenied => "A patient denied your request for access.",
        NotificationKind.AccessRevoked => "A patient revoked your access to their records.",
        NotificationKind.GrantExpiringSoon => "Your access to a patient's records ends within a day.",
        NotificationKind.Suspended => "Your EhrShare account was suspended: you cannot read records or ask for access until the EHR manager reinstates you.",
        NotificationKind.ApprovalPending => "A registration is waiting for your approval.",
        NotificationKind.EmergencyDeclared => "A doctor declared an emergency access; it waits for your review.",
        NotificationKind.ShareNodeProblem => "A share node reported problems (unreachable, missing or corrupt shares).",
        _ => "Something happened in EhrShare.",
    };
}
