using System.Diagnostics;
using System.Globalization;
using EhrShare.Core.Access;
using EhrShare.Core.Chain;
using EhrShare.Core.Data;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ipfs;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace EhrShare.SystemBench.Faults;

/// <summary>A check after the faults: what it measured, and whether that is what a sound system leaves.</summary>
public sealed record Check(string Name, string Measured, bool Passed);

/// <summary>
/// What the faults left, checked once the load stopped, the access log drained and the reconciler finished the uploads
/// the faults interrupted (its lease is <see cref="FaultBench.UploadLease"/> here):
/// records: none half-written (every record committed, or gone; every committed record's block hash anchored on the
/// chain, shares on at least k nodes, its ciphertext pinned; no pinned CID without a committed record; no shares of
/// a record that is not committed); every upload the app acknowledged is there; every record reads back with the
/// right bytes; the share scan finds the faults' damage and the repair mends it.
/// access log: every attempt confirmed, each on the chain exactly once (one access event per entry in the entry's
/// transaction, and as many events as entries).
/// The app's own services (an instance hosted in this process) rebuild blocks and read the chain and IPFS.
/// </summary>
public sealed class Consistency(Stack stack, FaultWorld world, IReadOnlyList<LoadClient> clients, Load load, Progress progress)
{
    private static readonly TimeSpan DrainLimit = TimeSpan.FromMinutes(3);
    private readonly List<Check> _checks = [];

    public async Task<IReadOnlyList<Check>> RunAsync()
    {
        var outbox = new Outbox(stack.AppDb);
        var stopped = Stopwatch.StartNew();
        var drained = await outbox.DrainAsync(DrainLimit, open => progress.Report($"draining the outbox, {open} left"));
        Add("access log drained after the load stopped", $"{drained.TotalSeconds:0.0} s", true);
        var settled = await WaitForReconcilerAsync();
        Add("uploads left pending or rolling back", $"none {settled.TotalSeconds:0.0} s after the access log drained (upload lease {FaultBench.UploadLease.TotalSeconds:0} s)", true);

        await using var app = BenchApp.Start(0);
        await CheckRecordsAsync(app);
        await ReadBackAsync(app);
        await ShareScanAndRepairAsync(app);
        await outbox.DrainAsync(DrainLimit);
        await CheckAccessLogAsync(app);
        progress.Note($"checks done {stopped.Elapsed.TotalSeconds:0} s after the load stopped");
        return _checks;
    }

    private void Add(string name, string measured, bool passed)
    {
        _checks.Add(new Check(name, measured, passed));
        progress.Note($"{(passed ? "ok  " : "FAIL")} {name}: {measured}");
    }

    private async Task<TimeSpan> WaitForReconcilerAsync()
    {
        var watch = Stopwatch.StartNew();
        var limit = FaultBench.UploadLease + TimeSpan.FromMinutes(2);
        while (true)
        {
            await using var connection = new MySqlConnection(stack.AppDb);
            await connection.OpenAsync();
            await using var command = new MySqlCommand($"SELECT COUNT(*) FROM Records WHERE State NOT IN ('{RecordState.Committed}', '{RecordState.Removed}')", connection);
            var open = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            progress.Report($"records not yet committed or rolled back: {open}");
            if (open == 0)
            {
                return watch.Elapsed;
            }

            if (watch.Elapsed > limit)
            {
                Add("uploads left pending or rolling back", $"{open} record(s) still pending or rolling back after {limit.TotalSeconds:0} s", false);
                return watch.Elapsed;
            }

            await Task.Delay(500);
        }
    }

    private async Task CheckRecordsAsync(BenchApp app)
    {
        using var scope = app.Services.CreateScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<IEhrDbContext>();
        var parties = services.GetRequiredService<RecordParties>();
        var ledger = services.GetRequiredService<IAccessLedger>();
        var vault = services.GetRequiredService<IShareVault>();
        var ipfs = services.GetRequiredService<KuboRpcClient>();
        var records = await db.Records.AsNoTracking().ToListAsync();
        var committed = records.Where(r => r.State == RecordState.Committed).ToList();
        var halfWritten = records.Count(r => r.State is not (RecordState.Committed or RecordState.Removed));

        var sharesPerRecord = new Dictionary<Guid, int>();
        foreach (var node in stack.ShareNodes)
        {
            foreach (var id in await ShareRecordIdsAsync(node))
            {
                sharesPerRecord[id] = sharesPerRecord.GetValueOrDefault(id) + 1;
            }
        }

        var threshold = app.Get<Microsoft.Extensions.Options.IOptions<ShareNodeOptions>>().Value.Threshold;
        int notAnchored = 0, tooFewShares = 0, notRebuilt = 0;
        var cids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in committed)
        {
            progress.Report($"checking committed record {cids.Count + notRebuilt + 1} of {committed.Count}");
            var patient = await parties.PatientAsync(record.PatientUserId, CancellationToken.None);
            var anchored = await ledger.GetRecordHashAsync(patient.Account.Address, record.Id, CancellationToken.None);
            if (anchored is null || record.BlockHash is null || !anchored.AsSpan().SequenceEqual(record.BlockHash))
            {
                notAnchored++;
            }

            if (sharesPerRecord.GetValueOrDefault(record.Id) < threshold)
            {
                tooFewShares++;
            }

            try
            {
                var block = await vault.RebuildAsync(record.Id, record.BlockHash ?? [], CancellationToken.None);
                cids.Add(RecordBlock.Parse(block).Cid);
            }
            catch (EhrShare.Core.Common.EhrException)
            {
                notRebuilt++;
            }
        }

        var pins = (await ipfs.PinLsAsync()).ToHashSet(StringComparer.Ordinal);
        var orphanShares = sharesPerRecord.Keys.Count(id => !committed.Any(r => r.Id == id));
        Add("records committed", $"{committed.Count} ({records.Count(r => r.State == RecordState.Removed)} removed, the rest rolled back and gone)", true);
        Add("records half-written (pending or rolling back after the lease)", halfWritten.ToString(CultureInfo.InvariantCulture), halfWritten == 0);
        Add("committed records whose block hash is not on the chain", notAnchored.ToString(CultureInfo.InvariantCulture), notAnchored == 0);
        Add($"committed records with fewer than k = {threshold} shares", tooFewShares.ToString(CultureInfo.InvariantCulture), tooFewShares == 0);
        Add("committed records whose block does not rebuild", notRebuilt.ToString(CultureInfo.InvariantCulture), notRebuilt == 0);
        Add("committed records whose ciphertext is not pinned", cids.Count(c => !pins.Contains(c)).ToString(CultureInfo.InvariantCulture), cids.All(pins.Contains));
        Add("pinned CIDs without a committed record", pins.Count(p => !cids.Contains(p)).ToString(CultureInfo.InvariantCulture), pins.All(cids.Contains));
        Add("records with shares on the nodes but not committed", orphanShares.ToString(CultureInfo.InvariantCulture), orphanShares == 0);
    }

    /// <summary>Reads every committed record as its patient (each through the instance their browser uses) and compares what the bench uploaded.</summary>
    private async Task ReadBackAsync(BenchApp app)
    {
        var listRecords = new List<(FaultUser Patient, RecordSummary Record)>();
        using (var scope = app.Services.CreateScope())
        {
            var list = scope.ServiceProvider.GetRequiredService<ListRecords>();
            foreach (var patient in world.Patients)
            {
                listRecords.AddRange((await list.ForPatientAsync(patient.Id, CancellationToken.None)).Select(r => (patient, r)));
            }
        }

        var known = world.Records.Concat(load.Uploaded).ToDictionary(r => (r.PatientId, r.Title));
        var acknowledged = load.Uploaded.Count;
        var lost = load.Uploaded.Count(u => !listRecords.Any(l => l.Patient.Id == u.PatientId && l.Record.Title == u.Title));
        var unacknowledged = listRecords.Count(l => !known.ContainsKey((l.Patient.Id, l.Record.Title)));
        Add("uploads acknowledged (200) by the app and not committed", $"{lost} of {acknowledged}", lost == 0);
        Add("records committed though their upload's client saw an error (killed in flight)", unacknowledged.ToString(CultureInfo.InvariantCulture), true);

        var wrong = new List<string>();
        foreach (var (patient, record) in listRecords)
        {
            var client = clients.First(c => c.PatientId == patient.Id);
            progress.Report($"reading back {record.Title}");
            var (status, length, sha256) = await client.Browser.GetHashedAsync($"/Patient/Records/{record.Id}/Download");
            var right = status == System.Net.HttpStatusCode.OK
                && (known.TryGetValue((patient.Id, record.Title), out var expected)
                    ? length == expected.Size && sha256!.AsSpan().SequenceEqual(expected.Sha256)
                    : length == record.Size);
            if (!right)
            {
                wrong.Add($"{record.Id} (HTTP {(int)status}, {length} B)");
            }
        }

        Add("committed records read back with the right bytes", $"{listRecords.Count - wrong.Count} of {listRecords.Count}{(wrong.Count > 0 ? ": not " + string.Join(", ", wrong.Take(5)) : "")}", wrong.Count == 0);
    }

    private async Task ShareScanAndRepairAsync(BenchApp app)
    {
        using var scope = app.Services.CreateScope();
        var before = await scope.ServiceProvider.GetRequiredService<ShareScan>().RunAsync(CancellationToken.None);
        var kinds = string.Join(", ", before.Problems.GroupBy(p => $"{p.Kind} on {p.Node}").Select(g => $"{g.Count()} {g.Key}"));
        var corruptFound = world.CorruptedRecord is { } corrupted && before.Problems.Any(p => p.RecordId == corrupted);
        Add("share scan after the faults finds the damage (incl. the corrupted share)", $"{before.Problems.Count + before.ProblemsNotListed} problem(s): {(kinds.Length > 0 ? kinds : "none")}", corruptFound);
        var repair = await scope.ServiceProvider.GetRequiredService<ShareRepair>().RunAsync(CancellationToken.None);
        var after = await scope.ServiceProvider.GetRequiredService<ShareScan>().RunAsync(CancellationToken.None);
        Add("share repair, then a scan", $"{repair.RepairedCount} share(s) rewritten; {after.Problems.Count + after.ProblemsNotListed} problem(s) left", repair.Complete && after.IsClean);
    }

    private async Task CheckAccessLogAsync(BenchApp app)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<IEhrDbContext>();
        var entries = await db.AccessLog.AsNoTracking().ToListAsync();
        var events = (await app.Get<EhrAccessContract>().GetEventsAsync(new EhrEventQuery()))
            .Where(e => e is AccessGrantedEvent or AccessDeniedEvent or OwnerAccessEvent)
            .ToList();
        var eventsByTransaction = events.GroupBy(e => e.TransactionHash ?? "", StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        var notConfirmed = entries.Count(e => e.State != OutboxState.Confirmed);
        int lost = 0, doubled = 0;
        foreach (var group in entries.Where(e => e.TransactionHash is not null).GroupBy(e => e.TransactionHash!, StringComparer.OrdinalIgnoreCase))
        {
            var onChain = eventsByTransaction.GetValueOrDefault(group.Key);
            lost += Math.Max(0, group.Count() - onChain);
            doubled += Math.Max(0, onChain - group.Count());
        }

        var entryTransactions = entries.Select(e => e.TransactionHash).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var orphanEvents = events.Count(e => e.TransactionHash is null || !entryTransactions.Contains(e.TransactionHash));
        var readsAnswered = load.Outcomes.Count(o => o.Kind == RequestKind.Read && o.Ok);
        var doctorEntries = entries.Count(e => e.Actor == AccessActor.Doctor);
        Add("access attempts recorded / access events on the chain", $"{entries.Count} / {events.Count}", entries.Count == events.Count);
        Add("attempts not confirmed", notConfirmed.ToString(CultureInfo.InvariantCulture), notConfirmed == 0);
        Add("attempts lost (no event in their transaction)", lost.ToString(CultureInfo.InvariantCulture), lost == 0);
        Add("attempts doubled (more events than attempts in a transaction, or events of no attempt)", (doubled + orphanEvents).ToString(CultureInfo.InvariantCulture), doubled + orphanEvents == 0);
        Add("doctors' reads answered 200 / doctors' attempts recorded", $"{readsAnswered} / {doctorEntries}", readsAnswered <= doctorEntries);
    }

    /// <summary>The records a node holds a share of, in any generation (a record refreshed has a row per generation for a moment).</summary>
    private static async Task<List<Guid>> ShareRecordIdsAsync(string node)
    {
        await using var connection = new MySqlConnection(node);
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SELECT DISTINCT record_id FROM shares", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync())
        {
            // As the share nodes key them (ShareNode.IdBytes): big-endian.
            ids.Add(new Guid((byte[])reader.GetValue(0), bigEndian: true));
        }

        return ids;
    }
}
