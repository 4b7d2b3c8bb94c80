using EhrShare.Core.Chain;
using EhrShare.Core.Data;
using EhrShare.Core.Records;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Access;

/// <summary>One line of a patient's access history.</summary>
public sealed record HistoryEntry(
    DateTimeOffset? At,
    string Who,
    string What,
    string Outcome,
    bool IsDenial,
    bool IsEmergency,
    string? Reason,
    string? TransactionHash,
    bool OnChain);

public sealed record HistoryPage(IReadOnlyList<HistoryEntry> Entries, int Page, int PageCount, int Total);

/// <summary>
/// A patient's full access history from the chain's events (who, which record, when, allowed or denied, emergency),
/// newest first, plus attempts recorded but not yet on the chain. A read is dated when it was made (the event's
/// attemptedAt), not when its log was mined.
/// </summary>
public sealed class AccessHistory(IEhrDbContext db, RecordParties parties, IAccessLedger ledger, IEmergencyReasonProtector protector, IRecordDescriptionProtector descriptions)
{
    public const int PageSize = 25;

    public async Task<HistoryPage> ForPatientAsync(string patientUserId, int page, CancellationToken cancellationToken)
    {
        var patient = await parties.PatientAsync(patientUserId, cancellationToken);
        var me = patient.Account.Address;
        var events = await ledger.GetEventsAsync(new LedgerEventQuery { Patient = me }, cancellationToken);

        var accounts = events.Select(e => e.Doctor).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var names = (await (
                from account in db.ChainAccounts.AsNoTracking()
                join user in db.Users.AsNoTracking() on account.UserId equals user.Id
                where accounts.Contains(account.Address)
                select new { account.Address, user.DisplayName }).ToListAsync(cancellationToken))
            .ToDictionary(x => x.Address, x => x.DisplayName, StringComparer.OrdinalIgnoreCase);
        var titles = await RecordTitles.OfPatientAsync(db, descriptions, patient.User.Id, cancellationToken);
        var reasons = await db.Emergencies.AsNoTracking().Where(e => e.PatientUserId == patient.User.Id)
            .ToListAsync(cancellationToken);

        string Who(string? account) => account is null ? "" :
            string.Equals(account, me, StringComparison.OrdinalIgnoreCase) ? "You" :
            names.TryGetValue(account, out var name) ? "Dr " + name : account;
        string What(Guid? recordId) => recordId is not { } id || id == Guid.Empty ? "your record list" :
            titles.TryGetValue(id, out var title) ? $"\u201c{title}\u201d" : "a record";

        var entries = new List<HistoryEntry>();
        foreach (var e in events)
        {
            var entry = e.Name switch
            {
                "AccessGranted" => new HistoryEntry(e.AttemptedAt ?? e.BlockTime, Who(e.Doctor), What(e.RecordId), "Read (allowed)", false, false, null, e.TransactionHash, true),
                "OwnerAccess" => new HistoryEntry(e.AttemptedAt ?? e.BlockTime, "You", What(e.RecordId), e.Allowed == false ? "Read refused (record removed)" : "Read (allowed)",
                    e.Allowed == false, false, e.Allowed == false ? e.Detail : null, e.TransactionHash, true),
                "AccessDenied" => new HistoryEntry(e.AttemptedAt ?? e.BlockTime, Who(e.Doctor), What(e.RecordId), "Denied", true, false, e.Detail, e.TransactionHash, true),
                "EmergencyAccess" => new HistoryEntry(e.BlockTime, Who(e.Doctor), "all your records", "Emergency access declared", false, true,
                    ReasonFor(e, reasons), e.TransactionHash, true),
                "EmergencyRefused" => new HistoryEntry(e.BlockTime, Who(e.Doctor), "all your records", "Emergency access refused by the contract", true, true,
                    e.Detail, e.TransactionHash, true),
                "EmergencyReviewed" => new HistoryEntry(e.BlockTime, "The EHR manager", "an emergency on your records", "Reviewed", false, true,
                    e.Detail, e.TransactionHash, true),
                "AccessRequested" => new HistoryEntry(e.BlockTime, Who(e.Doctor), "access to your records", "Asked for access", false, false, null, e.TransactionHash, true),
                "PermissionGranted" => new HistoryEntry(e.BlockTime, Who(e.Doctor), "access to your records",
                    e.ExpiresAt is { } until ? $"You granted access until {until:yyyy-MM-dd HH:mm} UTC" : "You granted access", false, false, null, e.TransactionHash, true),
                "PermissionDenied" => new HistoryEntry(e.BlockTime, Who(e.Doctor), "access to your records", "You declined the request", false, false, null, e.TransactionHash, true),
                "PermissionRevoked" => new HistoryEntry(e.BlockTime, Who(e.Doctor), "access to your records", "You revoked access", false, false, null, e.TransactionHash, true),
                "RecordAdded" => new HistoryEntry(e.BlockTime, "You", What(e.RecordId), "Added", false, false, null, e.TransactionHash, true),
                "RecordRemoved" => new HistoryEntry(e.BlockTime, "You", What(e.RecordId), "Removed", false, false, null, e.TransactionHash, true),
                _ => null,
            };
            if (entry is not null)
            {
                entries.Add(entry);
            }
        }

        // Attempts already recorded but not yet mined: shown, so nothing seems missing while a block is pending.
        var waiting = await db.AccessLog.AsNoTracking()
            .Where(a => a.PatientAccount == me && a.State != OutboxState.Confirmed)
            .ToListAsync(cancellationToken);
        entries.AddRange(waiting.Select(a => new HistoryEntry(a.AttemptedAt,
            a.Actor == AccessActor.Owner ? "You" : Who(a.ActorAccount), What(a.RecordId),
            a.DecidedAllowed == false ? "Denied (being recorded on the chain)" : "Read (being recorded on the chain)",
            a.DecidedAllowed == false, false, null, a.TransactionHash, false)));

        var ordered = entries.OrderByDescending(e => e.At ?? DateTimeOffset.MaxValue).ToList();
        var pageCount = Math.Max(1, (ordered.Count + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 1, pageCount);
        return new HistoryPage(ordered.Skip((page - 1) * PageSize).Take(PageSize).ToList(), page, pageCount, ordered.Count);
    }

    private string? ReasonFor(LedgerEvent e, List<EmergencyDeclaration> reasons)
    {
        var declared = reasons.FirstOrDefault(r => string.Equals(r.TransactionHash, e.TransactionHash, StringComparison.OrdinalIgnoreCase));
        return declared is null ? null : protector.Unprotect(declared.ProtectedReason).Text;
    }
}
