using System.Security.Cryptography;
using EhrShare.Core.Accounts;
using EhrShare.Core.Areas;
using EhrShare.Core.Common;
using EhrShare.Core.Users;
using EhrShare.Web.Infrastructure;
using EhrShare.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace EhrShare.Web.Controllers;

public sealed partial class AccountController(
    SignInManager<ApplicationUser> signIn,
    UserManager<ApplicationUser> users,
    ILogger<AccountController> logger) : Controller
{
    private const string WrongCredentials = "The email or password is wrong.";

    /// <summary>A hash of a random password, checked against when the email has no account (equal timing).</summary>
    private static readonly Lazy<string> UnknownAccountHash = new(() =>
        new PasswordHasher<ApplicationUser>().HashPassword(new ApplicationUser(), Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));

    private string ClientAddress => HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    [HttpGet]
    [AllowWithoutTwoFactor]
    public IActionResult Login(string? returnUrl) => View(new LoginModel { ReturnUrl = returnUrl });

    [HttpPost]
    [AllowWithoutTwoFactor]
    public async Task<IActionResult> Login(LoginModel model, [FromServices] SignInThrottle throttle)
    {
        if (!ModelState.IsValid)
        {
            return View(model);
        }

        // Throttled before the account is looked up: the same answer whether the email has an account or not.
        var email = model.Email.Trim();
        var address = ClientAddress;
        if (throttle.Attempt(address, email) is { } wait)
        {
            logger.LogWarning("Sign-in throttled for a client address");
            return TooManyAttempts(model, wait);
        }

        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            // The same work as checking a real password, so an unknown email does not answer faster.
            users.PasswordHasher.VerifyHashedPassword(new ApplicationUser(), UnknownAccountHash.Value, model.Password);
            throttle.Failed(address, email);
            ModelState.AddModelError(string.Empty, WrongCredentials);
            return View(model);
        }

        var result = await signIn.PasswordSignInAsync(user, model.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return SignedIn(model.ReturnUrl);
        }

        if (result.RequiresTwoFactor)
        {
            // The password was right: Identity keeps who is signing in in a short-lived cookie of its own until the code.
            return RedirectToAction(nameof(TwoFactorSignIn), new { returnUrl = model.ReturnUrl });
        }

        throttle.Failed(address, email);
        if (result.IsLockedOut)
        {
            logger.LogWarning("Login refused: account {UserId} locked out", user.Id);
            ModelState.AddModelError(string.Empty, "Too many failed attempts: this account is locked for a while. Try again later, or reset your password.");
            return View(model);
        }

        ModelState.AddModelError(string.Empty, WrongCredentials);
        return View(model);
    }

    [HttpPost]
    [Authorize]
    [AllowWithoutTwoFactor]
    public async Task<IActionResult> Logout()
    {
        await signIn.SignOutAsync();
        TempData["Success"] = "You are signed out.";
        return RedirectToAction("Index", "Home");
    }

    /// <summary>Sign out on every device: every session of this user ends, this one included.</summary>
    [HttpPost]
    [Authorize]
    [AllowWithoutTwoFactor]
    public async Task<IActionResult> SignOutEverywhere([FromServices] UserSessions sessions, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User);
        if (user is not null)
        {
            var ended = await sessions.EndAllAsync(user, cancellationToken);
            logger.LogInformation("User {UserId} signed out everywhere ({Sessions} sessions)", user.Id, ended);
        }

        await signIn.SignOutAsync();
        TempData["Success"] = "You are signed out on every device.";
        return RedirectToAction("Index", "Home");
    }

    /// <summary>The signed-in user's own security: password, two-factor sign-in and sessions.</summary>
    [HttpGet]
    [Authorize]
    public async Task<IActionResult> Security([FromServices] TwoFactorPolicy policy)
    {
        var user = await users.GetUserAsync(User);
        return user is null
            ? RedirectToAction(nameof(Login))
            : View(new SecurityModel(user.Email ?? "", user.TwoFactorEnabled, policy.IsRequired(user.Status, User.IsInRole)));
    }

    [HttpGet]
    [Authorize]
    public IActionResult ChangePassword() => View(new ChangePasswordModel());

    [HttpPost]
    [Authorize]
    public async Task<IActionResult> ChangePassword(ChangePasswordModel model, [FromServices] ChangePassword change, CancellationToken cancellationToken)
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
                await change.ExecuteAsync(user, model.CurrentPassword, model.NewPassword, cancellationToken);
                await signIn.SignInAsync(user, isPersistent: false);
                TempData["Success"] = "Your password is changed. Every other session of yours is signed out.";
                return RedirectToAction(nameof(Security));
            }
            catch (ValidationFailedException e)
            {
                ModelState.AddError(e);
            }
        }

        return View(new ChangePasswordModel());
    }

    [HttpGet]
    public IActionResult ForgotPassword([FromServices] PasswordReset reset)
    {
        ViewData["Available"] = reset.Available;
        return View(new ForgotPasswordModel());
    }

    [HttpPost]
    public async Task<IActionResult> ForgotPassword(
        ForgotPasswordModel model, [FromServices] PasswordReset reset, [FromServices] SignInThrottle throttle, CancellationToken cancellationToken)
    {
        ViewData["Available"] = reset.Available;
        if (!ModelState.IsValid)
        {
            return View(model);
        }

        // Each request counts as an attempt and a failure: it cannot be used to flood a mailbox.
        var email = model.Email.Trim();
        if (throttle.Attempt(ClientAddress, email) is { } wait)
        {
            return TooManyAttempts(model, wait);
        }

        throttle.Failed(ClientAddress, email);
        try
        {
            await reset.RequestAsync(email, cancellationToken);
        }
        catch (ValidationFailedException e)
        {
            ModelState.AddError(e);
            return View(model);
        }

        TempData["Success"] = "If an account uses that address, a link to reset its password is on its way. It works for an hour.";
        return RedirectToAction(nameof(Login));
    }

    [HttpGet]
    public IActionResult ResetPassword(string? userId, string? token) =>
        View(new ResetPasswordModel { UserId = userId ?? "", Token = token ?? "" });

    [HttpPost]
    public async Task<IActionResult> ResetPassword(ResetPasswordModel model, [FromServices] PasswordReset reset, CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            try
            {
                await reset.ResetAsync(model.UserId, model.Token, model.NewPassword, cancellationToken);
                TempData["Success"] = "Your password is changed and every session of your account is signed out. Sign in with the new password.";
                return RedirectToAction(nameof(Login));
            }
            catch (ValidationFailedException e)
            {
                ModelState.AddError(e);
            }
        }

        return View(new ResetPasswordModel { UserId = model.UserId, Token = model.Token });
    }

    [HttpGet]
    public IActionResult Register() => View();

    [HttpGet]
    public async Task<IActionResult> RegisterPatient([FromServices] AreaManagement areas, CancellationToken cancellationToken) =>
        View(new RegisterPatientModel { Areas = await AreaChoicesAsync(areas, cancellationToken) });

    [HttpPost]
    public async Task<IActionResult> RegisterPatient(
        RegisterPatientModel model, [FromServices] RegisterPatient register, [FromServices] AreaManagement areas, CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            try
            {
                var user = await register.ExecuteAsync(
                    new PatientRegistration(model.FullName, model.Email, model.Password, model.AreaId!.Value, model.DateOfBirth!.Value),
                    cancellationToken);
                return await SignInPendingAsync(user);
            }
            catch (ValidationFailedException e)
            {
                ModelState.AddError(e);
            }
        }

        model.Areas = await AreaChoicesAsync(areas, cancellationToken);
        return View(model);
    }

    [HttpGet]
    public IActionResult RegisterDoctor() => View(new RegisterDoctorModel());

    [HttpPost]
    public async Task<IActionResult> RegisterDoctor(RegisterDoctorModel model, [FromServices] RegisterDoctor register, CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            try
            {
                var user = await register.ExecuteAsync(
                    new DoctorRegistration(model.FullName, model.Email, model.Password, model.LicenceNumber, model.Specialty),
                    cancellationToken);
                return await SignInPendingAsync(user);
            }
            catch (ValidationFailedException e)
            {
                ModelState.AddError(e);
            }
        }

        return View(model);
    }

    /// <summary>Where a pending or rejected account lands: it can do nothing else.</summary>
    [HttpGet]
    [Authorize]
    [AllowWithoutTwoFactor]
    public async Task<IActionResult> Pending()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return RedirectToAction(nameof(Login));
        }

        return user.Status == UserStatus.Approved ? RedirectToAction("Index", "Dashboard") : View(user);
    }

    /// <summary>Where the cookie handler sends a signed-in user whose role may not open a page: a 403, not a 200.</summary>
    [HttpGet]
    [AllowWithoutTwoFactor]
    public IActionResult AccessDenied()
    {
        return ErrorResponses.StatusPage(HttpContext, StatusCodes.Status403Forbidden);
    }

    private ViewResult TooManyAttempts(object model, TimeSpan wait, string advice = "If you forgot your password, reset it.")
    {
        ModelState.AddModelError(string.Empty, $"Too many attempts: try again {SignInThrottle.Describe(wait)}. {advice}");
        var view = View(model);
        view.StatusCode = StatusCodes.Status429TooManyRequests;
        Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return view;
    }

    private IActionResult SignedIn(string? returnUrl) =>
        Url.IsLocalUrl(returnUrl) ? LocalRedirect(returnUrl) : RedirectToAction("Index", "Dashboard");

    private async Task<IActionResult> SignInPendingAsync(ApplicationUser user)
    {
        logger.LogInformation("Registered user {UserId}, pending approval", user.Id);
        await signIn.SignInAsync(user, isPersistent: false);
        return RedirectToAction(nameof(Pending));
    }

    private static async Task<IReadOnlyList<SelectListItem>> AreaChoicesAsync(AreaManagement areas, CancellationToken cancellationToken) =>
        (await areas.ListAsync(openOnly: true, cancellationToken))
            .Select(a => new SelectListItem(a.Name, a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
}
