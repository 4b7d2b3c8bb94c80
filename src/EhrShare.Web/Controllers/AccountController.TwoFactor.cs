using EhrShare.Core.Accounts;
using EhrShare.Core.Common;
using EhrShare.Core.Users;
using EhrShare.Web.Infrastructure;
using EhrShare.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>
/// Two-factor sign-in with an authenticator app (docs/decisions/two-factor-sign-in.md): the code step after the
/// password, and the page where a user sets it up, renews the recovery codes or turns it off. No "remember this
/// browser": every sign-in asks for the code.
/// </summary>
public sealed partial class AccountController
{
    private const string SignInExpired = "The sign-in took too long or was not started: enter your email and password again.";

    [HttpGet]
    [AllowWithoutTwoFactor]
    public async Task<IActionResult> TwoFactorSignIn(string? returnUrl) =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null
            ? RestartSignIn(returnUrl)
            : View(new TwoFactorSignInModel { ReturnUrl = returnUrl });

    [HttpPost]
    [AllowWithoutTwoFactor]
    public async Task<IActionResult> TwoFactorSignIn(TwoFactorSignInModel model, [FromServices] SignInThrottle throttle)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RestartSignIn(model.ReturnUrl);
        }

        if (!ModelState.IsValid)
        {
            return View(model);
        }

        // The same throttle as the password: wrong codes count against this address and account, and Identity's
        // lockout counts them too (TwoFactorAuthenticatorSignInAsync), so the 10^6 codes cannot be run through.
        var account = user.Email ?? user.Id;
        if (throttle.Attempt(ClientAddress, account) is { } wait)
        {
            logger.LogWarning("Two-factor code throttled for user {UserId}", user.Id);
            return TooManyAttempts(model, wait, "If you no longer have your authenticator app, use a recovery code.");
        }

        var result = await signIn.TwoFactorAuthenticatorSignInAsync(TwoFactorSettings.Normalise(model.Code), isPersistent: false, rememberClient: false);
        if (result.Succeeded)
        {
            logger.LogInformation("User {UserId} signed in with an authenticator code", user.Id);
            return SignedIn(model.ReturnUrl);
        }

        throttle.Failed(ClientAddress, account);
        if (result.IsLockedOut)
        {
            logger.LogWarning("Two-factor sign-in refused: account {UserId} locked out", user.Id);
            ModelState.AddModelError(string.Empty, "Too many failed attempts: this account is locked for a while. Try again later.");
            return View(model);
        }

        logger.LogInformation("Wrong two-factor code for user {UserId}", user.Id);
        ModelState.AddModelError(nameof(model.Code), TwoFactorSettings.WrongCode);
        return View(model);
    }

    [HttpGet]
    [AllowWithoutTwoFactor]
    public async Task<IActionResult> RecoveryCodeSignIn(string? returnUrl) =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null
            ? RestartSignIn(returnUrl)
            : View(new RecoveryCodeSignInModel { ReturnUrl = returnUrl });

    [HttpPost]
    [AllowWithoutTwoFactor]
    public async Task<IActionResult> RecoveryCodeSignIn(RecoveryCodeSignInModel model, [FromServices] SignInThrottle throttle)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RestartSignIn(model.ReturnUrl);
        }

        if (!ModelState.IsValid)
        {
            return View(model);
        }

        var account = user.Email ?? user.Id;
        if (throttle.Attempt(ClientAddress, account) is { } wait)
        {
            logger.LogWarning("Recovery code throttled for user {UserId}", user.Id);
            return TooManyAttempts(model, wait, "Ask the EHR manager if you have no codes left.");
        }

        // Identity neither checks the lockout nor counts a wrong recovery code: both are done here, as for the codes.
        if (await users.IsLockedOutAsync(user))
        {
            ModelState.AddModelError(string.Empty, "Too many failed attempts: this account is locked for a while. Try again later.");
            return View(model);
        }

        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(NormaliseRecoveryCode(model.RecoveryCode));
        if (result.Succeeded)
        {
            var left = await users.CountRecoveryCodesAsync(user);
            logger.LogInformation("User {UserId} signed in with a recovery code; {Left} left", user.Id, left);
            TempData["Success"] = $"Signed in with a recovery code. It cannot be used again; {left} left." +
                (left <= 3 ? " Make new ones on the Two-factor authentication page (Account security)." : "");
            return SignedIn(model.ReturnUrl);
        }

        throttle.Failed(ClientAddress, account);
        await users.AccessFailedAsync(user);
        logger.LogInformation("Wrong or used recovery code for user {UserId}", user.Id);
        ModelState.AddModelError(nameof(model.RecoveryCode), "That recovery code is wrong or has already been used.");
        return View(model);
    }

    /// <summary>The user's two-factor sign-in: whether it is on, and its set-up while it is not.</summary>
    [HttpGet]
    [Authorize]
    [AllowWithoutTwoFactor]
    [ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
    public async Task<IActionResult> TwoFactor([FromServices] TwoFactorSettings settings, [FromServices] TwoFactorPolicy policy)
    {
        var user = await users.GetUserAsync(User);
        return user is null ? RedirectToAction(nameof(Login)) : View(await PageModelAsync(user, settings, policy));
    }

    [HttpPost]
    [Authorize]
    [AllowWithoutTwoFactor]
    public async Task<IActionResult> BeginTwoFactor([FromServices] TwoFactorSettings settings, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return RedirectToAction(nameof(Login));
        }

        if (await settings.BeginAsync(user, cancellationToken))
        {
            // A new key changes the security stamp: this device gets a new session, the others have ended.
            await signIn.SignInAsync(user, isPersistent: false);
        }

        return RedirectToAction(nameof(TwoFactor));
    }

    [HttpPost]
    [Authorize]
    [AllowWithoutTwoFactor]
    [ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
    public async Task<IActionResult> EnableTwoFactor(
        EnableTwoFactorModel model, [FromServices] TwoFactorSettings settings, [FromServices] TwoFactorPolicy policy, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return RedirectToAction(nameof(Login));
        }

        if (ModelState.IsValid)
        {
            try
            {
                var codes = await settings.EnableAsync(user, model.Code, cancellationToken);
                await signIn.SignInAsync(user, isPersistent: false);
                // Shown in this response only: never put in TempData (a cookie) or anywhere else.
                return View("RecoveryCodes", new RecoveryCodesModel(codes, JustEnabled: true));
            }
            catch (ValidationFailedException e)
            {
                ModelState.AddError(e);
            }
        }

        return View(nameof(TwoFactor), await PageModelAsync(user, settings, policy));
    }

    [HttpPost]
    [Authorize]
    public async Task<IActionResult> DisableTwoFactor(
        ConfirmTwoFactorChangeModel model, [FromServices] TwoFactorSettings settings, [FromServices] TwoFactorPolicy policy, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return RedirectToAction(nameof(Login));
        }

        if (ModelState.IsValid)
        {
            try
            {
                await settings.DisableAsync(user, model.CodeOrPassword, cancellationToken);
                await signIn.SignInAsync(user, isPersistent: false);
                TempData["Success"] = policy.IsRequired(user.Status, User.IsInRole)
                    ? "Two-factor sign-in is off, and your old authenticator's codes no longer work. Your account requires it: set it up again with your new authenticator to continue."
                    : "Two-factor sign-in is off. Every other session of yours is signed out.";
                return RedirectToAction(nameof(TwoFactor));
            }
            catch (ValidationFailedException e)
            {
                ModelState.AddError(e);
            }
        }

        return View(nameof(TwoFactor), await PageModelAsync(user, settings, policy));
    }

    [HttpPost]
    [Authorize]
    [ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
    public async Task<IActionResult> NewRecoveryCodes(
        ConfirmTwoFactorChangeModel model, [FromServices] TwoFactorSettings settings, [FromServices] TwoFactorPolicy policy, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return RedirectToAction(nameof(Login));
        }

        if (ModelState.IsValid)
        {
            try
            {
                var codes = await settings.RenewRecoveryCodesAsync(user, model.CodeOrPassword, cancellationToken);
                await signIn.SignInAsync(user, isPersistent: false);
                return View("RecoveryCodes", new RecoveryCodesModel(codes, JustEnabled: false));
            }
            catch (ValidationFailedException e)
            {
                ModelState.AddError(e);
            }
        }

        return View(nameof(TwoFactor), await PageModelAsync(user, settings, policy));
    }

    private async Task<TwoFactorPageModel> PageModelAsync(ApplicationUser user, TwoFactorSettings settings, TwoFactorPolicy policy)
    {
        var state = await settings.GetAsync(user);
        var required = policy.IsRequired(user.Status, User.IsInRole);
        return new TwoFactorPageModel(
            state,
            required,
            required ? TwoFactorPolicy.Reason(User.IsInRole) : null,
            state.PendingKey is { } key ? AuthenticatorQrCode.PngDataUri(key.Uri) : null);
    }

    private RedirectToActionResult RestartSignIn(string? returnUrl)
    {
        TempData["Error"] = SignInExpired;
        return RedirectToAction(nameof(Login), new { returnUrl });
    }

    /// <summary>As printed: upper case with the hyphen; accepts lower case, spaces, or the hyphen left out.</summary>
    private static string NormaliseRecoveryCode(string code)
    {
        var plain = code.Replace(" ", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
        return plain.Length == 10 && !plain.Contains('-', StringComparison.Ordinal) ? plain[..5] + "-" + plain[5..] : plain;
    }
}
