using System.Globalization;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EhrShare.Core.Notifications;

/// <summary>Notifications' background settings (section <c>Notifications</c>).</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>How often grants are checked for an end within <see cref="ExpiringWithin"/> (env <c>Notifications__ExpiryCheckInterval</c>; default 10 min).</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Notifications:ExpiryCheckInterval must be 1 second to 1 day.")]
    public TimeSpan ExpiryCheckInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A doctor is told when a grant ends within this (env <c>Notifications__ExpiringWithin</c>; default 1 day).</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Notifications:ExpiringWithin must be 1 minute to 30 days.")]
    public TimeSpan ExpiringWithin { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>
/// The background check behind "access ending soon": grants the chain index holds whose expiry falls within
/// <see cref="NotificationOptions.ExpiringWithin"/>, each confirmed against the contract (still granted, same expiry: not
/// revoked or renewed since), tell their doctor once per grant (the once-key is the grant's parties and expiry, so a
/// renewal with a new expiry is told again). Idempotent: running it twice, or in two instances, tells once.
/// </summary>
public sealed class GrantExpiryCheck(IEhrDbContext db, PeopleDirectory people, IAccessLedger ledger, Notifier notifier, TimeProvider clock, IOptions<NotificationOptions> options)
{
    /// <summary>Returns how many doctors were told in this run.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var until = now + options.Value.ExpiringWithin;
        var grants = await db.ChainEvents.AsNoTracking()
            .Where(e => e.Name == "PermissionGranted" && e.ExpiresAt > now && e.ExpiresAt <= until && e.Patient != null && e.Doctor != null)
            .Select(e => new { Patient = e.Patient!, Doctor = e.Doctor!, ExpiresAt = e.ExpiresAt!.Value })
            .Distinct().ToListAsync(cancellationToken);
        var known = await people.ByAccountAsync(grants.SelectMany(g => new[] { g.Patient, g.Doctor }).ToList(), cancellationToken);
        var told = 0;
        foreach (var grant in grants)
        {
            if (known.GetValueOrDefault(grant.Doctor)?.Doctor?.UserId is not { } doctorUserId ||
                known.GetValueOrDefault(grant.Patient)?.Patient?.Address is not { } shown)
            {
                continue;
            }

            var key = string.Create(CultureInfo.InvariantCulture, $"expiring:{grant.Patient}:{grant.Doctor}:{grant.ExpiresAt.ToUnixTimeSeconds()}");
            if (await db.Notifications.AsNoTracking().AnyAsync(n => n.UserId == doctorUserId && n.OnceKey == key, cancellationToken))
            {
                continue;
            }

            LedgerPermission permission;
            try
            {
                permission = await ledger.GetPermissionAsync(grant.Patient, grant.Doctor, cancellationToken);
            }
            catch (DependencyUnavailableException)
            {
                return told; // The next run tries again.
            }

            if (permission.Status != LedgerPermissionStatus.Granted || permission.ExpiresAt?.ToUnixTimeSeconds() != grant.ExpiresAt.ToUnixTimeSeconds())
            {
                continue;
            }

            await notifier.ToUserAsync(
                doctorUserId,
                NotificationKind.GrantExpiringSoon,
                string.Create(CultureInfo.InvariantCulture, $"Your access to the records of the patient at {shown} ends on {grant.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC. Ask the patient to renew it if you still need it."),
                "/Doctor",
                key);
            told++;
        }

        return told;
    }
}
