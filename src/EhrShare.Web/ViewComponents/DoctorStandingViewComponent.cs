using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace EhrShare.Web.ViewComponents;

/// <summary>
/// On every page of a suspended doctor: a banner that says so, and why (the cause from the contract's last
/// AccountSuspended event: the manager, or repeated refusals). The chain's answer is cached briefly.
/// </summary>
public sealed class DoctorStandingViewComponent(CurrentUser current, IEhrDbContext db, IAccessLedger ledger, IMemoryCache cache) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync()
    {
        var user = await current.GetAsync();
        if (user is null)
        {
            return Content(string.Empty);
        }

        var standing = await cache.GetOrCreateAsync("doctor-standing:" + user.Id, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(3);
            var account = await db.ChainAccounts.AsNoTracking().Where(a => a.UserId == user.Id).Select(a => a.Address).FirstOrDefaultAsync();
            if (account is null)
            {
                return (DoctorStandingModel?)null;
            }

            try
            {
                var standing = await ledger.GetAccountAsync(account, HttpContext.RequestAborted);
                return standing.Suspended
                    ? new DoctorStandingModel(standing, await ledger.GetSuspensionCauseAsync(account, HttpContext.RequestAborted))
                    : new DoctorStandingModel(standing, null);
            }
            catch (DependencyUnavailableException)
            {
                return null;
            }
        });
        return standing is { Account.Suspended: true } ? View(standing) : Content(string.Empty);
    }
}

public sealed record DoctorStandingModel(LedgerAccount Account, LedgerSuspensionCause? Cause);
