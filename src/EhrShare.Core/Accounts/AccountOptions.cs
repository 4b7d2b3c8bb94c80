using System.ComponentModel.DataAnnotations;

namespace EhrShare.Core.Accounts;

/// <summary>Sign-in and sessions (section <c>Accounts</c>).</summary>
public sealed class AccountOptions
{
    public const string Section = "Accounts";

    /// <summary>A session with no request for this long ends (env <c>Accounts__SessionIdleTimeout</c>; 8 h).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Accounts:SessionIdleTimeout must be between 1 minute and 30 days.")]
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A session ends this long after sign-in, however active (env <c>Accounts__SessionLifetime</c>; 12 h, a shift).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Accounts:SessionLifetime must be between 1 minute and 30 days.")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Sign-in attempts one client address may make per <see cref="SignInAddressWindow"/> (env <c>Accounts__SignInAttemptsPerAddress</c>; 30).</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Accounts:SignInAttemptsPerAddress must be positive.")]
    public int SignInAttemptsPerAddress { get; set; } = 30;

    /// <summary>1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Accounts:SignInAddressWindow must be between 1 second and 1 day.")]
    public TimeSpan SignInAddressWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Failed sign-ins to one account from one client address per <see cref="SignInAccountWindow"/> before that
    /// address must wait (env <c>Accounts__SignInFailuresPerAccount</c>; 5). Other addresses, the owner's, are not held up.
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "Accounts:SignInFailuresPerAccount must be positive.")]
    public int SignInFailuresPerAccount { get; set; } = 5;

    /// <summary>15 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Accounts:SignInAccountWindow must be between 1 second and 1 day.")]
    public TimeSpan SignInAccountWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Failed sign-ins, from any address, that lock an account for <see cref="LockoutDuration"/> (env
    /// <c>Accounts__LockoutFailures</c>; 20): the backstop against guessing spread over many addresses.
    /// </summary>
    [Range(1, 1000, ErrorMessage = "Accounts:LockoutFailures must be between 1 and 1000.")]
    public int LockoutFailures { get; set; } = 20;

    /// <summary>15 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Accounts:LockoutDuration must be between 1 second and 1 day.")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Doctors, like the EHR manager, must sign in with an authenticator app's code as well as the password (env
    /// <c>Accounts__RequireTwoFactorForDoctors</c>; false: optional for them). A value that is not true or false stops
    /// the app at start (docs/decisions/two-factor-sign-in.md).
    /// </summary>
    public bool RequireTwoFactorForDoctors { get; set; }
}

/// <summary>The password rules the forms and Identity share.</summary>
public static class PasswordRules
{
    public const int MinimumLength = 12;

    /// <summary>Longer passwords are refused (hashing cost stays bounded).</summary>
    public const int MaximumLength = 128;

    public const string TooShort = "Use at least 12 characters.";

    public const string TooLong = "Use at most 128 characters.";
}
