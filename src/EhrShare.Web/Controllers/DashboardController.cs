using EhrShare.Core.Users;
using Microsoft.AspNetCore.Authorization;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>Sends a signed-in user to the home page of their role.</summary>
[Authorize]
public sealed class DashboardController(CurrentUser current) : Controller
{
    public async Task<IActionResult> Index()
    {
        if (!await current.IsApprovedAsync())
        {
            return RedirectToAction("Pending", "Account");
        }

        if (User.IsInRole(Roles.Admin))
        {
            return RedirectToAction("Index", "Approvals");
        }

        if (User.IsInRole(Roles.Patient))
        {
            return RedirectToAction("Index", "Patient");
        }

        return User.IsInRole(Roles.Doctor) ? RedirectToAction("Index", "Doctor") : RedirectToAction("Pending", "Account");
    }
}
