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

public sealed class AccountController(
    SignInManager<ApplicationUser> signIn,
    UserManager<ApplicationUser> users,
    ILogger<AccountController> logger) : Controller
{
    [HttpGet]
    public IActionResult Login(string? returnUrl) => View(new LoginModel { ReturnUrl = returnUrl });

    [HttpPost]
    public async Task<IActionResult> Login(LoginModel model)
    {
        if (!ModelState.IsValid)
        {
            return View(model);
        }

        var result = await signIn.PasswordSignInAsync(model.Email.Trim(), model.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            logger.LogWarning("Login refused: account locked out");
            ModelState.AddModelError(string.Empty, "Too many failed attempts: this account is locked for 15 minutes.");
            return View(model);
        }

        if (!result.Succeeded)
        {
            ModelState.AddModelError(string.Empty, "The email or password is wrong.");
            return View(model);
        }

        return Url.IsLocalUrl(model.ReturnUrl) ? LocalRedirect(model.ReturnUrl) : RedirectToAction("Index", "Dashboard");
    }

    [HttpPost]
    [Authorize]
    public async Task<IActionResult> Logout()
    {
        await signIn.SignOutAsync();
        TempData["Success"] = "You are signed out.";
        return RedirectToAction("Index", "Home");
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
    public IActionResult AccessDenied()
    {
        var result = View("~/Views/Shared/Status.cshtml", new StatusViewModel(403, HttpContext.TraceIdentifier));
        result.StatusCode = StatusCodes.Status403Forbidden;
        return result;
    }

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
