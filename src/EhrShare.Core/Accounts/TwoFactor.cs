using EhrShare.Core.Common;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EhrShare.Core.Accounts;

/// <summary>
/// Who must sign in with an authenticator app's code as well as the password: the EHR manager always, doctors when
/// <see cref="AccountOptions.RequireTwoFactorForDoctors"/> says so; anyone else may choose to
/// (docs/decisions/two-factor-sign-in.md). Only approved accounts: a pending or rejected one can do nothing anyway.
/// </summary>
public sealed class TwoFactorPolicy(IOptions<AccountOptions> options)
{
    public bool IsRequired(UserStatus status, Func<string, bool> isInRole) =>
        status == UserStatus.Approved
        && (isInRole(Roles.Admin) || (options.Value.RequireTwoFactorForDoctors && isInRole(Roles.Doctor)));

    /// <summary>Why it is required, for the page that asks the user to set it up.</summary>
    public static string Reason(Func<string, bool> isInRole) => isInRole(Roles.Admin)
        ? "The EHR manager's account must use two-factor sign-in."
        : "This server requires doctors to use two-factor sign-in.";
}

/// <summary>The authenticator key as the setup page shows it: a QR code of <see cref="Uri"/>, or the key typed in.</summary>
public sealed record AuthenticatorKey(string Key, string Uri)
{
    public const string Issuer = "EhrShare";

    /// <summary>The key in groups of four, easier to type into a phone.</summary>
    public string Grouped => string.Join(' ', Key.Chunk(4).Select(c => new string(c)));

    public static AuthenticatorKey For(string email, string key) => new(
        key,
        $"otpauth://totp/{System.Uri.EscapeDataString(Issuer)}:{System.Uri.EscapeDataString(email)}" +
        $"?secret={key}&issuer={System.Uri.EscapeDataString(Issuer)}&digits=6");
}

/// <summary>Where a user's two-factor sign-in stands. <see cref="PendingKey"/>: the key being set up, while it is off.</summary>
public sealed record TwoFactorState(bool Enabled, int RecoveryCodesLeft, AuthenticatorKey? PendingKey);

/// <summary>
/// A user sets up, turns off, or renews the recovery codes of their two-factor sign-in, with ASP.NET Core Identity's
/// authenticator (TOTP) support. Every change ends all the user's sessions (the caller signs the current one in
/// again), as a new password does: a session opened before it cannot outlive it. Keys and codes are never logged.
/// </summary>
public sealed class TwoFactorSettings(UserManager<ApplicationUser> users, UserSessions sessions, ILogger<TwoFactorSettings> logger)
{
    public const int RecoveryCodeCount = 10;

    public const string WrongCode = "That code is wrong or has expired: enter the 6-digit code your authenticator app shows now.";

    public async Task<TwoFactorState> GetAsync(ApplicationUser user)
    {
        if (await users.GetTwoFactorEnabledAsync(user))
        {
            return new TwoFactorState(true, await users.CountRecoveryCodesAsync(user), null);
        }

        var key = await users.GetAuthenticatorKeyAsync(user);
        return new TwoFactorState(false, 0, string.IsNullOrEmpty(key) ? null : AuthenticatorKey.For(user.Email ?? user.UserName ?? "", key));
    }

    /// <summary>
    /// Makes the key to set up (kept until set up, so a reload shows the same one). False, and nothing changes, if there
    /// is one already.
    /// </summary>
    public async Task<bool> BeginAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        if (await users.GetTwoFactorEnabledAsync(user) || !string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user)))
        {
            return false;
        }

        // Identity changes the security stamp with the key: the other sessions end here already, so say so plainly.
        Check(await users.ResetAuthenticatorKeyAsync(user), "make an authenticator key");
        await sessions.EndAllAsync(user, cancellationToken);
        logger.LogInformation("User {UserId} began setting up two-factor sign-in", user.Id);
        return true;
    }

    /// <summary>
    /// Turns two-factor sign-in on once <paramref name="code"/> shows that the authenticator app has the key; returns
    /// the new recovery codes, to be shown once.
    /// </summary>
    public async Task<IReadOnlyList<string>> EnableAsync(ApplicationUser user, string code, CancellationToken cancellationToken)
    {
        if (await users.GetTwoFactorEnabledAsync(user))
        {
            throw new ValidationFailedException("Two-factor sign-in is already on.");
        }

        if (string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user)))
        {
            throw new ValidationFailedException("Start the set-up again: there is no key to confirm.");
        }

        // Not counted toward the lockout: the key was just shown to this signed-in user, so a wrong code is a typing
        // or scanning mistake, not a guess at anything.
        if (!await VerifyCodeAsync(user, code))
        {
            throw new ValidationFailedException(WrongCode, "Code");
        }

        Check(await users.SetTwoFactorEnabledAsync(user, true), "turn two-factor sign-in on");
        var codes = await NewCodesAsync(user);
        await sessions.EndAllAsync(user, cancellationToken);
        logger.LogInformation("User {UserId} turned two-factor sign-in on; their other sessions ended", user.Id);
        return codes;
    }

    /// <summary>
    /// Turns it off after <paramref name="codeOrPassword"/> (a current code or the password) proves the user is here;
    /// the key goes too, so the authenticator app's codes are worth nothing, and the recovery codes with it.
    /// </summary>
    public async Task DisableAsync(ApplicationUser user, string codeOrPassword, CancellationToken cancellationToken)
    {
        await RequireEnabledAsync(user);
        await ConfirmAsync(user, codeOrPassword);
        Check(await users.SetTwoFactorEnabledAsync(user, false), "turn two-factor sign-in off");
        Check(await users.ResetAuthenticatorKeyAsync(user), "replace the authenticator key");
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
        await sessions.EndAllAsync(user, cancellationToken);
        logger.LogInformation("User {UserId} turned two-factor sign-in off; their other sessions ended", user.Id);
    }

    /// <summary>New recovery codes (after a current code or the password); the old ones stop working.</summary>
    public async Task<IReadOnlyList<string>> RenewRecoveryCodesAsync(ApplicationUser user, string codeOrPassword, CancellationToken cancellationToken)
    {
        await RequireEnabledAsync(user);
        await ConfirmAsync(user, codeOrPassword);
        var codes = await NewCodesAsync(user);
        await sessions.EndAllAsync(user, cancellationToken);
        logger.LogInformation("User {UserId} made new recovery codes; their other sessions ended", user.Id);
        return codes;
    }

    /// <summary>"123 456" or "123-456" as typed from a phone: the 6 digits alone.</summary>
    public static string Normalise(string code) => code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).Trim();

    private Task<bool> VerifyCodeAsync(ApplicationUser user, string code) =>
        users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, Normalise(code));

    private async Task RequireEnabledAsync(ApplicationUser user)
    {
        if (!await users.GetTwoFactorEnabledAsync(user))
        {
            throw new ValidationFailedException("Two-factor sign-in is not on.");
        }
    }

    /// <summary>
    /// A current authenticator code or the password, so that a session left open (or stolen) cannot change the
    /// second factor by itself. A wrong one counts toward the lockout, as a wrong current password does.
    /// </summary>
    private async Task ConfirmAsync(ApplicationUser user, string codeOrPassword)
    {
        var normalised = Normalise(codeOrPassword);
        var looksLikeCode = normalised.Length == 6 && normalised.All(char.IsAsciiDigit);
        var confirmed = looksLikeCode
            ? await VerifyCodeAsync(user, normalised)
            : await users.CheckPasswordAsync(user, codeOrPassword);
        if (!confirmed)
        {
            await users.AccessFailedAsync(user);
            throw new ValidationFailedException(
                looksLikeCode ? WrongCode : "That is not your password, nor a current code from your authenticator app.", "CodeOrPassword");
        }
    }

    private async Task<IReadOnlyList<string>> NewCodesAsync(ApplicationUser user) =>
        (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))?.ToList()
        ?? throw new InvalidOperationException("Identity made no recovery codes.");

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not {what}: " + string.Join("; ", result.Errors.Select(e => e.Code)));
        }
    }
}
