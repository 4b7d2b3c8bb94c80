using EhrShare.Core.Areas;
using EhrShare.Core.Common;
using EhrShare.Core.Users;
using EhrShare.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>The admin manages areas; an area's number is the AID in its patients' addresses.</summary>
[Authorize(Roles = Roles.Admin)]
public sealed class AreasController(AreaManagement areas) : Controller
{
    [HttpGet]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) =>
        View(new AreasPageModel(await areas.ListAsync(openOnly: false, cancellationToken), new AreaFormModel()));

    [HttpPost]
    public async Task<IActionResult> Create([Bind(Prefix = "NewArea")] AreaFormModel model, CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            try
            {
                var area = await areas.CreateAsync(model.Name, cancellationToken);
                TempData["Success"] = $"Area '{area.Name}' created with AID {area.Id}.";
                return RedirectToAction(nameof(Index));
            }
            catch (ValidationFailedException e)
            {
                ModelState.AddModelError("NewArea." + (e.Field ?? ""), e.Message);
            }
        }

        return View(nameof(Index), new AreasPageModel(await areas.ListAsync(openOnly: false, cancellationToken), model));
    }

    [HttpPost]
    public async Task<IActionResult> Rename(int id, string name, CancellationToken cancellationToken)
    {
        try
        {
            await areas.RenameAsync(id, name, cancellationToken);
            TempData["Success"] = "Area renamed.";
        }
        catch (ValidationFailedException e)
        {
            TempData["Error"] = e.Message;
        }

        return RedirectToAction(nameof(Index));
    }

    [HttpPost]
    public async Task<IActionResult> SetOpen(int id, bool open, CancellationToken cancellationToken)
    {
        await areas.SetOpenAsync(id, open, cancellationToken);
        TempData["Success"] = open ? "The area takes registrations again." : "The area is closed to new registrations.";
        return RedirectToAction(nameof(Index));
    }
}
