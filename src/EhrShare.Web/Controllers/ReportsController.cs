using EhrShare.Core.Access;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>The EHR manager's list of access requests that patients reported.</summary>
[Authorize(Roles = Roles.Admin)]
public sealed class ReportsController(RequestModeration moderation) : Controller
{
    [HttpGet]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) =>
        View(await moderation.ReportsAsync(cancellationToken));
}
