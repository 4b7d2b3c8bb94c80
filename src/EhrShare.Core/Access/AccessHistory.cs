using EhrShare.Core.Chain;
using EhrShare.Core.Chain.Index;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.People;
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
    bool OnChain)
{
    /// <summary>The contract's event name (AccessGranted, PermissionRevoked, ...), or <c>Pending</c> for an attempt not yet on the chain.</summary>
    public string Event { get; init; } = "";

    /// <summary>The doctor's account the event names (who read, asked, declared, or was granted, denied, revoked).</summary>
    public string? DoctorAccount { get; init; }

    /// <summary>The record concerned, where the event names one (null or empty for the record list).</summary>
    public Guid? RecordId { get; init; }

    /// <summary>The block the event was mined in (null while it is not on the chain).</summary>
    public ulong? BlockNumber { get; init; }
}

/// <summary>The outbox's name for an attempt recorded but not yet on the chain (<see cref="HistoryEntry.Event"/>).</summary>
public static class HistoryEvents
{
    public const string Pending = "Pending";
}

/// <summary>Which events a History page lists.</summary>
public enum HistoryKind
{
    All = 0,
    Allowed = 1,
    Denied = 2,
    Emergency = 3,
}

/// <summary>A History page's filters: one doctor (account address), a kind, a range of days (UTC, both included).</summary>
public sealed record HistoryFilter
{
    public string? Doctor { get; init; }

    public HistoryKind Kind { get; init; }

    public DateOnly? From { get; init; }

    public DateOnly? To { get; init; }

    /// <summary>From this instant on (included), for API searches finer than a day; combined with <see cref="From"/>.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Before this instant (excluded), for API searches finer than a day; combined with <see cref="To"/>.</summary>
    public DateTimeOffset? Before { get; init; }

    public bool IsEmpty => Doctor is null && Kind == HistoryKind.All && From is null && To is null && Since is null && Before is null;
}

/// <summary>A doctor the filter offers: one who appears in the patient's history.</summary>
public sealed record HistoryDoctor(string Account, string Name);

public sealed record HistoryPage(IReadOnlyList<HistoryEntry> Entries, int Page, int PageCount, int Total)
{
    public HistoryFilter Filter { get; init; } = new();

    public IReadOnlyList<HistoryDoctor> Doctors { get; init; } = [];

    /// <summary>The block the page is as of (the index and the live tail after it).</summary>
    public ulong AsOfBlock { get; init; }

    /// <summary>The index is behind by more than the live tail covers, or the chain did not answer: recent events may be missing.</summary>
    public bool Incomplete { get; init; }
}

/// <summary>
/// A patient's access history (who, which record, when, allowed or denied, emergency), newest first, paged and
/// filtered in the database from the chain index, with the events mined after the index's cursor read live and the
/// attempts recorded but not yet on the chain. A read is dated when it was made (the event's attemptedAt), not when its
/// log was mined. Only the page shown and the few newest events outside the index are held in memory.
/// </summary>
public sealed class AccessHistory(
    IEhrDbContext db,
    RecordParties parties,
    PeopleDirectory people,
    ChainEventWindows windows,
    IEmergencyReasonProtector protector,
    IRecordDescriptionProtector descriptions)
{
    public const int PageSize = 25;

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>The events a patient's history lists (not registrations, suspensions or settings).</summary>
    private static readonly string[] HistoryNames =
    [
        "AccessGranted", "OwnerAccess", "AccessDenied", "EmergencyAccess", "EmergencyRefused", "EmergencyReviewed",
        "AccessRequested", "PermissionGranted", "PermissionDenied", "PermissionRevoked", "RecordAdded", "RecordRemoved",
    ];

    public Task<HistoryPage> ForPatientAsync(string patientUserId, int page, CancellationToken cancellationToken) =>
        ForPatientAsync(patientUserId, page, new HistoryFilter(), cancellationToken);

    /// <summary>
    /// One page. A bad filter (an end before its start, a kind not listed, a doctor who is not an account) is refused
    /// with a <see cref="ValidationFailedException"/>; a doctor with no events simply gives an empty page.
    /// </summary>
    public async Task<HistoryPage> ForPatientAsync(string patientUserId, int page, HistoryFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        Validate(filter);
        var patient = await parties.PatientAsync(patientUserId, cancellationToken);
        var me = patient.Account.Address;
        var window = await windows.OpenAsync(new LedgerEventQuery { Patient = me }, cancellationToken);
        var through = window.IndexedThrough;
        var (fromInstant, toInstant) = Range(filter);
        var fromSeconds = fromInstant is { } f ? SecondsAtOrAfter(f) : (long?)null;
        var toSeconds = toInstant is { } t ? SecondsAtOrAfter(t) : (long?)null;

        // The indexed part, filtered and paged by the database.
        var indexed = db.ChainEvents.AsNoTracking().Where(e => e.Patient == me && e.BlockNumber <= through && HistoryNames.Contains(e.Name));
        if (filter.Doctor is { } doctor)
        {
            indexed = indexed.Where(e => e.Doctor == doctor);
        }

        indexed = filter.Kind switch
        {
            HistoryKind.Allowed => indexed.Where(e => e.Category == ChainEventCategory.Allowed),
            HistoryKind.Denied => indexed.Where(e => e.Category == ChainEventCategory.Denied),
            HistoryKind.Emergency => indexed.Where(e => e.Category == ChainEventCategory.Emergency),
            _ => indexed,
        };
        if (fromSeconds is { } from)
        {
            indexed = indexed.Where(e => e.At >= from);
        }

        if (toSeconds is { } to)
        {
            indexed = indexed.Where(e => e.At < to);
        }

        // The rest (the live tail and the outbox's attempts not yet on the chain): few, filtered here.
        var tail = window.Tail.Where(e => HistoryNames.Contains(e.Name) && Matches(e, filter, fromSeconds, toSeconds)).ToList();
        var waiting = await WaitingAsync(me, window, filter, cancellationToken);
        var tailHashes = tail.Select(e => e.TransactionHash).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var mined = await MinedAsync(waiting.Select(w => w.TransactionHash).OfType<string>().Where(h => !tailHashes.Contains(h)).ToList(), cancellationToken);
        waiting = waiting.Where(w => w.TransactionHash is null || (!tailHashes.Contains(w.TransactionHash) && !mined.Contains(w.TransactionHash))).ToList();

        var extras = tail.Select(e => (At: ChainEventKinds.At(e), Event: (LedgerEvent?)e, Waiting: (AccessLogEntry?)null))
            .Concat(waiting.Select(w => (At: w.AttemptedAt.ToUnixTimeSeconds(), Event: (LedgerEvent?)null, Waiting: (AccessLogEntry?)w)))
            .OrderByDescending(x => x.At).ThenByDescending(x => x.Event?.BlockNumber ?? ulong.MaxValue).ToList();

        var indexedTotal = await indexed.CountAsync(cancellationToken);
        var total = indexedTotal + extras.Count;
        var pageCount = Math.Max(1, (total + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 1, pageCount);
        var offset = (page - 1) * PageSize;

        // Where each extra falls among the indexed rows (ties: the extra first, being the newer write): its rank in the
        // merged order is its place among the extras plus the indexed rows strictly newer.
        var ranks = new int[extras.Count];
        for (var i = 0; i < extras.Count; i++)
        {
            var at = extras[i].At;
            ranks[i] = i + (i > 0 && extras[i - 1].At == at ? ranks[i - 1] - (i - 1) : await indexed.CountAsync(e => e.At > at, cancellationToken));
        }

        var extrasBefore = ranks.Count(r => r < offset);
        var extrasOnPage = Enumerable.Range(0, extras.Count).Where(i => ranks[i] >= offset && ranks[i] < offset + PageSize).ToList();
        var rows = await indexed
            .OrderByDescending(e => e.At).ThenByDescending(e => e.BlockNumber).ThenByDescending(e => e.LogIndex)
            .Skip(offset - extrasBefore).Take(PageSize - extrasOnPage.Count)
            .ToListAsync(cancellationToken);

        var merged = new List<(int Rank, LedgerEvent? Event, AccessLogEntry? Waiting)>();
        var rowRank = offset;
        var next = 0;
        foreach (var row in rows)
        {
            while (next < extrasOnPage.Count && ranks[extrasOnPage[next]] <= rowRank)
            {
                var x = extras[extrasOnPage[next++]];
                merged.Add((rowRank++, x.Event, x.Waiting));
            }

            merged.Add((rowRank++, row.ToLedgerEvent(), null));
        }

        for (; next < extrasOnPage.Count; next++)
        {
            var x = extras[extrasOnPage[next]];
            merged.Add((rowRank++, x.Event, x.Waiting));
        }

        // Names only for what the page shows, and for the filter's list of doctors.
        var doctorAccounts = await db.ChainEvents.AsNoTracking()
            .Where(e => e.Patient == me && e.BlockNumber <= through && e.Doctor != null)
            .Select(e => e.Doctor!).Distinct().ToListAsync(cancellationToken);
        doctorAccounts.AddRange(window.Tail.Select(e => e.Doctor).OfType<string>());
        var accounts = doctorAccounts
            .Concat(merged.Select(m => m.Event?.Doctor ?? m.Waiting?.ActorAccount).OfType<string>())
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var names = await people.NamesAsync(accounts, cancellationToken);
        var titles = await RecordTitles.OfPatientAsync(db, descriptions, patient.User.Id, cancellationToken);
        var emergencyHashes = merged.Where(m => m.Event?.Name == "EmergencyAccess").Select(m => m.Event!.TransactionHash).ToList();
        var reasons = emergencyHashes.Count == 0
            ? []
            : await db.Emergencies.AsNoTracking()
                .Where(e => e.PatientUserId == patient.User.Id && emergencyHashes.Contains(e.TransactionHash))
                .ToListAsync(cancellationToken);

        string Who(string? account) => account is null ? "" :
            string.Equals(account, me, StringComparison.OrdinalIgnoreCase) ? "You" :
            names.TryGetValue(account, out var name) ? "Dr " + name : account;
        string What(Guid? recordId) => recordId is not { } id || id == Guid.Empty ? "your record list" :
            titles.TryGetValue(id, out var title) ? $"\u201c{title}\u201d" : "a record";

        var entries = merged.Select(m => m.Event is { } e
            ? Entry(e, Who, What, reasons) is { } entry
                ? entry with { Event = e.Name, DoctorAccount = e.Doctor, RecordId = e.RecordId, BlockNumber = e.BlockNumber }
                : null
            : Pending(m.Waiting!, Who, What) with
            {
                Event = HistoryEvents.Pending,
                DoctorAccount = m.Waiting!.Actor == AccessActor.Doctor ? m.Waiting.ActorAccount : null,
                RecordId = m.Waiting.RecordId,
            }).OfType<HistoryEntry>().ToList();
        var doctors = doctorAccounts.Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(a => !string.Equals(a, me, StringComparison.OrdinalIgnoreCase))
            .Select(a => new HistoryDoctor(a, Who(a))).OrderBy(d => d.Name, StringComparer.CurrentCulture).ToList();
        return new HistoryPage(entries, page, pageCount, total)
        {
            Filter = filter,
            Doctors = doctors,
            AsOfBlock = window.AsOfBlock,
            Incomplete = window.CatchingUp || window.ChainUnavailable,
        };
    }

    private static void Validate(HistoryFilter filter)
    {
        if (!Enum.IsDefined(filter.Kind))
        {
            throw new ValidationFailedException("Choose all, allowed, denied or emergency.", nameof(HistoryFilter.Kind));
        }

        if (filter.From is { } from && filter.To is { } to && to < from)
        {
            throw new ValidationFailedException($"The end date ({to:yyyy-MM-dd}) is before the start date ({from:yyyy-MM-dd}).", nameof(HistoryFilter.To));
        }

        if (filter.Doctor is { } doctor && (doctor.Length != 42 || !doctor.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                || doctor.AsSpan(2).ContainsAnyExcept(HexDigits)))
        {
            throw new ValidationFailedException("Choose a doctor from the list.", nameof(HistoryFilter.Doctor));
        }
    }

    private static bool Matches(LedgerEvent e, HistoryFilter filter, long? from, long? to)
    {
        var at = ChainEventKinds.At(e);
        return (filter.Doctor is null || string.Equals(e.Doctor, filter.Doctor, StringComparison.OrdinalIgnoreCase))
            && (filter.Kind == HistoryKind.All || (int)ChainEventKinds.CategoryOf(e) == (int)filter.Kind)
            && (from is null || at >= from) && (to is null || at < to);
    }

    /// <summary>Attempts recorded but not in the page's chain data yet: not confirmed, or confirmed in a block after it.</summary>
    private async Task<List<AccessLogEntry>> WaitingAsync(string me, ChainEventWindow window, HistoryFilter filter, CancellationToken cancellationToken)
    {
        if (filter.Kind == HistoryKind.Emergency)
        {
            return [];
        }

        var asOf = (long)window.AsOfBlock;
        var query = db.AccessLog.AsNoTracking()
            .Where(a => a.PatientAccount == me && (a.State != OutboxState.Confirmed || a.BlockNumber == null || a.BlockNumber > asOf));
        if (filter.Doctor is { } doctor)
        {
            query = query.Where(a => a.Actor == AccessActor.Doctor && a.ActorAccount == doctor);
        }

        query = filter.Kind switch
        {
            HistoryKind.Allowed => query.Where(a => a.DecidedAllowed != false),
            HistoryKind.Denied => query.Where(a => a.DecidedAllowed == false),
            _ => query,
        };
        var rows = await query.ToListAsync(cancellationToken);
        var (from, to) = Range(filter);
        // Times compared here: exact whatever the column's offset handling.
        return rows.Where(a => (from is null || a.AttemptedAt.UtcDateTime >= from.Value.UtcDateTime) && (to is null || a.AttemptedAt.UtcDateTime < to.Value.UtcDateTime)).ToList();
    }

    /// <summary>The filter's range of instants: the later of its starts (included), the earlier of its ends (excluded).</summary>
    private static (DateTimeOffset? From, DateTimeOffset? To) Range(HistoryFilter filter)
    {
        DateTimeOffset? from = filter.From is { } day ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)) : null;
        DateTimeOffset? to = filter.To is { } last ? new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)) : null;
        if (filter.Since is { } since && (from is null || since > from))
        {
            from = since;
        }

        if (filter.Before is { } before && (to is null || before < to))
        {
            to = before;
        }

        return (from, to);
    }

    /// <summary>Events are dated in whole seconds: an instant inside a second counts from the next one.</summary>
    private static long SecondsAtOrAfter(DateTimeOffset instant)
    {
        var seconds = instant.ToUnixTimeSeconds();
        return instant > DateTimeOffset.FromUnixTimeSeconds(seconds) ? seconds + 1 : seconds;
    }

    /// <summary>Of these transaction hashes, those the index already has (an outbox entry not yet marked confirmed).</summary>
    private async Task<HashSet<string>> MinedAsync(List<string> hashes, CancellationToken cancellationToken) =>
        hashes.Count == 0
            ? new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            : (await db.ChainEvents.AsNoTracking().Where(e => hashes.Contains(e.TransactionHash)).Select(e => e.TransactionHash)
                .Distinct().ToListAsync(cancellationToken)).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private HistoryEntry? Entry(LedgerEvent e, Func<string?, string> who, Func<Guid?, string> what, List<EmergencyDeclaration> reasons) => e.Name switch
    {
        "AccessGranted" => new HistoryEntry(e.AttemptedAt ?? e.BlockTime, who(e.Doctor), what(e.RecordId), "Read (allowed)", false, false, null, e.TransactionHash, true),
        "OwnerAccess" => new HistoryEntry(e.AttemptedAt ?? e.BlockTime, "You", what(e.RecordId), e.Allowed == false ? "Read refused (record removed)" : "Read (allowed)",
            e.Allowed == false, false, e.Allowed == false ? e.Detail : null, e.TransactionHash, true),
        "AccessDenied" => new HistoryEntry(e.AttemptedAt ?? e.BlockTime, who(e.Doctor), what(e.RecordId), "Denied", true, false, e.Detail, e.TransactionHash, true),
        "EmergencyAccess" => new HistoryEntry(e.BlockTime, who(e.Doctor), "all your records", "Emergency access declared", false, true,
            ReasonFor(e, reasons), e.TransactionHash, true),
        "EmergencyRefused" => new HistoryEntry(e.BlockTime, who(e.Doctor), "all your records", "Emergency access refused by the contract", true, true,
            e.Detail, e.TransactionHash, true),
        "EmergencyReviewed" => new HistoryEntry(e.BlockTime, "The EHR manager", "an emergency on your records", "Reviewed", false, true,
            e.Detail, e.TransactionHash, true),
        "AccessRequested" => new HistoryEntry(e.BlockTime, who(e.Doctor), "access to your records", "Asked for access", false, false, null, e.TransactionHash, true),
        "PermissionGranted" => new HistoryEntry(e.BlockTime, who(e.Doctor), "access to your records",
            e.ExpiresAt is { } until ? $"You granted access until {until:yyyy-MM-dd HH:mm} UTC" : "You granted access", false, false, null, e.TransactionHash, true),
        "PermissionDenied" => new HistoryEntry(e.BlockTime, who(e.Doctor), "access to your records", "You declined the request", false, false, null, e.TransactionHash, true),
        "PermissionRevoked" => new HistoryEntry(e.BlockTime, who(e.Doctor), "access to your records", "You revoked access", false, false, null, e.TransactionHash, true),
        "RecordAdded" => new HistoryEntry(e.BlockTime, "You", what(e.RecordId), "Added", false, false, null, e.TransactionHash, true),
        "RecordRemoved" => new HistoryEntry(e.BlockTime, "You", what(e.RecordId), "Removed", false, false, null, e.TransactionHash, true),
        _ => null,
    };

    private static HistoryEntry Pending(AccessLogEntry a, Func<string?, string> who, Func<Guid?, string> what) => new(a.AttemptedAt,
        a.Actor == AccessActor.Owner ? "You" : who(a.ActorAccount), what(a.RecordId),
        a.DecidedAllowed == false ? "Denied (being recorded on the chain)" : "Read (being recorded on the chain)",
        a.DecidedAllowed == false, false, null, a.TransactionHash, false);

    private string? ReasonFor(LedgerEvent e, List<EmergencyDeclaration> reasons)
    {
        var declared = reasons.FirstOrDefault(r => string.Equals(r.TransactionHash, e.TransactionHash, StringComparison.OrdinalIgnoreCase));
        return declared is null ? null : protector.Unprotect(declared.ProtectedReason).Text;
    }
}
