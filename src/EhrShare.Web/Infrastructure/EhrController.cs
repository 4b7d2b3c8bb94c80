using EhrShare.Core.Common;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Infrastructure;

/// <summary>Post/redirect/get for actions that call one use case: its success or its typed failure becomes a message
/// on the page redirected to.</summary>
public abstract class EhrController : Controller
{
    protected async Task<IActionResult> PostRedirectGetAsync(Func<Task<string>> action, Func<IActionResult> redirect)
    {
        try
        {
            TempData["Success"] = await action();
        }
        catch (EhrException e) when (e is not NotFoundException)
        {
            TempData["Error"] = e.Message;
        }

        return redirect();
    }

    protected string CurrentUserId =>
        User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value
        ?? throw new InvalidOperationException("No signed-in user.");
}
