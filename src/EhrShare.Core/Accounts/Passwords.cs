using EhrShare.Core.Common;
using EhrShare.Core.Mail;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;

namespace EhrShare.Core.Accounts;

/// <summary>A signed-in user changes their password; every session of theirs ends (the caller signs this one in again).</summary>
public sealed class ChangePassword(UserManager<ApplicationUser> users, UserSessions sessions, ILogger<ChangePassword> logger)
{
    public async Task ExecuteAsync(ApplicationUser user, string currentPassword, string newPassword, CancellationToken cancellationToken)
    {
        var result = await users.ChangePasswordAsync(user, currentPassword, newPassword);
        if (!result.Succeeded)
        {
            if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch)))
            {
                // Counts towards the lockout like a wrong sign-in: a stolen session cannot guess the password freely.
                await users.AccessFailedAsync(user);
                throw new ValidationFailedException("The current password is wrong.", "CurrentPassword");
            }

            throw PasswordErrors.ToException(result, "NewPassword");
        }

        await sessions.EndAllAsync(user, cancellationToken);
        logger.LogInformation("User {UserId} changed their password; their sessions ended", user.Id);
    }
}

/// <summary>
/// Password reset by email. Asking never says whether the address has an account (the same answer, and the mail is
/// sent in the background); a reset link works once, for an hour, and ends every session of the account.
/// </summary>
public sealed class PasswordReset(UserManager<ApplicationUser> users, UserSessions sessions, IMailQueue mail, ILogger<PasswordReset> logger)
{
    public const string InvalidLink = "This reset link is invalid, already used or expired: ask for a new one.";

    public bool Available => mail.Enabled;

    public async Task RequestAsync(string email, CancellationToken cancellationToken)
    {
        if (!mail.Enabled)
        {
            throw new ValidationFailedException("Password reset by email is not available on this server: ask the EHR manager.");
        }

        var user = await users.FindByEmailAsync(email.Trim());
        if (user?.Email is null)
        {
            logger.LogInformation("Password reset asked for an address with no account");
            return;
        }

        var token = await users.GeneratePasswordResetTokenAsync(user);
        var link = new Uri(mail.LinkBase,
            $"Account/ResetPassword?userId={Uri.EscapeDataString(user.Id)}&token={Uri.EscapeDataString(token)}");
        await mail.EnqueueAsync(new OutgoingMail(
            user.Email,
            "Reset your EhrShare password",
            $"""
            Someone (we hope you) asked to reset the password of your EhrShare account.

            To choose a new password, open this link within an hour:
            {link}

            If you did not ask, ignore this message: your password stays as it is.
            """), cancellationToken);
        logger.LogInformation("Password reset mail queued for user {UserId}", user.Id);
    }

    public async Task ResetAsync(string userId, string token, string newPassword, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId) ?? throw new ValidationFailedException(InvalidLink);
        var result = await users.ResetPasswordAsync(user, token, newPassword);
        if (!result.Succeeded)
        {
            throw result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken))
                ? new ValidationFailedException(InvalidLink)
                : PasswordErrors.ToException(result, "NewPassword");
        }

        // Whoever holds the mailbox may sign in again at once: the lockout and failure count are cleared.
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        await sessions.EndAllAsync(user, cancellationToken);
        logger.LogInformation("User {UserId} reset their password; their sessions ended", user.Id);
    }
}

internal static class PasswordErrors
{
    public static ValidationFailedException ToException(IdentityResult result, string field) =>
        new(string.Join(" ", result.Errors.Select(e => e.Description).Distinct()), field);
}
