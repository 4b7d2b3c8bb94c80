using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Access;

/// <summary>An account's standing on the contract and, when it is suspended, the cause the contract recorded.</summary>
public sealed record DoctorStanding(LedgerAccount Account, LedgerSuspensionCause? Cause);

/// <summary>
/// A user's standing on the contract (penalties, suspension and its cause), for the banner a suspended doctor sees on
/// every page. Null when the user has no chain account, or the chain did not answer: a page never fails for the banner.
/// </summary>
public sealed class ReadDoctorStanding(IEhrDbContext db, IAccessLedger ledger)
{
    public async Task<DoctorStanding?> ForUserAsync(string userId, CancellationToken cancellationToken)
    {
        var account = await db.ChainAccounts.AsNoTracking().Where(a => a.UserId == userId).Select(a => a.Address).FirstOrDefaultAsync(cancellationToken);
        if (account is null)
        {
            return null;
        }

        try
        {
            var standing = await ledger.GetAccountAsync(account, cancellationToken);
            return new DoctorStanding(standing, standing.Suspended ? await ledger.GetSuspensionCauseAsync(account, cancellationToken) : null);
        }
        catch (DependencyUnavailableException)
        {
            return null;
        }
    }
}
