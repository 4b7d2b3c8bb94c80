using EhrShare.SystemBench.Stages;
using static EhrShare.SystemBench.Reporting.Format;

namespace EhrShare.SystemBench.Reporting;

/// <summary>One target of the issues, judged against a baseline measured in the same run, with the measured reason.</summary>
public sealed record Target(string Issue, string Name, string Ours, string Baseline, string Compared, string Goal, bool Met, string Why);

/// <summary>The targets of issues 7, 5 and 15, from results.csv: each a ratio (or a difference) to a same-run baseline.</summary>
public static class Targets
{
    public const string Auto = "access automine";
    public const string Block = "access block 1s";
    private const string Readers = "concurrency readers";

    public static IReadOnlyList<Target> From(ResultTable r) =>
    [
        Read(r),
        Unauthorised(r),
        BlockTime(r),
        Throughput(r),
        AuditPace(r),
        AuditDrain(r),
        Upload(r),
        Memory(r, "upload 200 MiB"),
        Memory(r, "read 200 MiB"),
        FhirBinary(r),
        FhirBundle(r),
    ];

    /// <summary>eth_call + share read + IPFS cat + decrypt of that size, interleaved with the authorised reads of that size.</summary>
    public static double ReadPrimitives(ResultTable r, string size) =>
        ReadPart(r, size, "eth_call") + ReadPart(r, size, "share_read") + ReadPart(r, size, "ipfs_cat " + size) + ReadPart(r, size, "decrypt " + size);

    /// <summary>encrypt + IPFS add of that size + share store + a transaction round trip, interleaved with the uploads of that size.</summary>
    public static double UploadPrimitives(ResultTable r, string size) =>
        UploadPart(r, size, "encrypt " + size) + UploadPart(r, size, "ipfs_add " + size) + UploadPart(r, size, "share_store") + UploadPart(r, size, "tx_roundtrip");

    /// <summary>
    /// A primitive's p50 as sampled interleaved with the end-to-end case it is compared with (section "baseline …");
    /// the primitives stage's figure for results of runs made before the baselines were interleaved.
    /// </summary>
    public static double Part(ResultTable r, string section, string @case, string primitive) =>
        r.Value(Stages.Baselines.SectionPrefix + section, $"{@case}: {primitive}", "p50") ?? r.V("primitive", primitive, "p50");

    private static double ReadPart(ResultTable r, string size, string primitive) => Part(r, Auto, "authorised " + size, primitive);

    private static double UploadPart(ResultTable r, string size, string primitive) => Part(r, "upload", size, primitive);

    private static double RefusalPart(ResultTable r, string primitive) => Part(r, Auto, "unauthorised", primitive);

    private static Target Ratio(string issue, string name, double ours, double baseline, string baselineText, string unit, string goal, bool met, string why) =>
        new(issue, name, Num(ours) + unit, $"{baselineText}: {Num(baseline)}{unit}", Invariant($"{ours / baseline:0.00}×"), goal, met, why);

    private static Target Read(ResultTable r)
    {
        var read = r.V(Auto, "authorised 1 MiB", "p50");
        var parts = ReadPrimitives(r, "1 MiB");
        return Ratio("7, 5", "Authorised read, 1 MiB, p50", read, parts, "eth_call + share read + IPFS cat + decrypt", " ms", "≤ 1.3×", read / parts <= 1.3,
            Invariant($"The read takes {Num(read)} ms p50 through HTTP (to the last byte); its primitives add up to {Num(parts)} ms (eth_call {Num(ReadPart(r, "1 MiB", "eth_call"))}, ") +
            Invariant($"share read {Num(ReadPart(r, "1 MiB", "share_read"))}, IPFS cat {Num(ReadPart(r, "1 MiB", "ipfs_cat 1 MiB"))}, decrypt {Num(ReadPart(r, "1 MiB", "decrypt 1 MiB"))} ms, each sampled just before every read). Inside the server: read.open ") +
            Invariant($"(until the first byte can flow) {Num(r.V(Auto, "authorised 1 MiB", "app:read.open:p50"))} ms, of which the access decision ") +
            Invariant($"{Num(r.V(Auto, "authorised 1 MiB", "app:access.decision:p50"))} ms and the share rebuild {Num(r.V(Auto, "authorised 1 MiB", "app:shares.rebuild:p50"))} ms; ") +
            Invariant($"time in no dependency call (the app's own work, and waiting for a core) {Num(r.V(Auto, "authorised 1 MiB", "span:own:ms"))} ms. ") +
            $"On the wire a read makes: to the chain {Requests(r, "read 1 MiB", "chain")}; to the app database {Requests(r, "read 1 MiB", "app-db")}; " +
            $"to the share nodes {Requests(r, "read 1 MiB", "shares")}; to IPFS {Requests(r, "read 1 MiB", "ipfs")}.");
    }

    private static Target Unauthorised(ResultTable r)
    {
        var ours = r.V(Auto, "unauthorised", "p50");
        var parts = RefusalPart(r, "eth_call") + RefusalPart(r, "db_write");
        return Ratio("7", "Unauthorised attempt (decision + audit), p50", ours, parts, "eth_call + DB write", " ms", "≤ 2×", ours / parts <= 2.0,
            Invariant($"The attempt takes {Num(ours)} ms p50 through HTTP; inside the server the access decision takes {Num(r.V(Auto, "unauthorised", "app:access.decision:p50"))} ms ") +
            Invariant($"and the whole open {Num(r.V(Auto, "unauthorised", "app:read.open:p50"))} ms p50. The baseline is one eth_call ({Num(RefusalPart(r, "eth_call"))} ms) plus one raw ") +
            Invariant($"insert ({Num(RefusalPart(r, "db_write"))} ms), sampled just before every attempt. Per attempt the server spends (medians) {Num(r.V(Auto, "unauthorised", "span:chain rpc:ms"))} ms in ") +
            Invariant($"{Num(r.V(Auto, "unauthorised", "span:chain rpc:calls"))} chain calls, {Num(r.V(Auto, "unauthorised", "span:app db:ms"))} ms in ") +
            Invariant($"{Num(r.V(Auto, "unauthorised", "span:app db:calls"))} app-database commands and {Num(r.V(Auto, "unauthorised", "span:own:ms"))} ms in none. ") +
            $"On the wire (network stage, the background audit transaction included): to the chain {Requests(r, "unauthorised attempt", "chain")}; " +
            $"to the app database {Requests(r, "unauthorised attempt", "app-db")}. " +
            Invariant($"At a 1 s block time the same attempt takes {Num(r.V(Block, "unauthorised", "p50"))} ms p50: at automine the previous attempt's audit transaction ") +
            "(gas estimate, signing, sending, receipt, outbox update) is processed in the background while the next request runs, on the same two cores.");
    }

    private static Target BlockTime(ResultTable r)
    {
        var auto = r.V(Auto, "authorised 1 MiB", "p50");
        var block = r.V(Block, "authorised 1 MiB", "p50");
        return Ratio("7", "Authorised read, 1 MiB, p50 at a 1 s block time", block, auto, "the same at automine", " ms", "≤ 1.5×", block / auto <= 1.5,
            Invariant($"At a 1 s block time the read p50 is {Num(block)} ms against {Num(auto)} ms at automine. The read does not wait for a block: the attempt is made ") +
            Invariant($"durable in the outbox and logged on the chain in the background; the time until that transaction is mined is {Num(r.V(Block, "read until audit mined", "p50"))} ms ") +
            Invariant($"p50 at 1 s blocks against {Num(r.V(Auto, "read until audit mined", "p50"))} ms at automine. Unauthorised attempts: {Num(r.V(Block, "unauthorised", "p50"))} ms ") +
            Invariant($"against {Num(r.V(Auto, "unauthorised", "p50"))} ms."));
    }

    private static Target Throughput(ResultTable r)
    {
        var one = r.V(Readers, "1", "throughput");
        var sixteen = r.V(Readers, "16", "throughput");
        var levels = "Doctors reading at once, throughput and p50: " + string.Join("; ", Concurrency.ReaderLevels.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Select(l => Invariant($"{l}: {Num(r.V(Readers, l, "throughput"))} req/s, {Num(r.V(Readers, l, "p50"))} ms")));
        return Ratio("7", "1 KiB reads, 16 concurrent doctors: throughput", sixteen, one, "1 doctor", " req/s", "≥ 1.6×", sixteen / one >= 1.6,
            $"{levels}. With one client a read is a chain of waits on other processes (MariaDB, anvil, the IPFS node), which more clients overlap until the two cores " +
            "(shared by the app, the clients, MariaDB, anvil and the IPFS node) are busy. " +
            Invariant($"Each read also costs an audit transaction in the background: the outbox took {Num(r.V(Readers, "16", "outbox_drain_after") / 1000)} s to drain after ") +
            Invariant($"the 16-doctor level and {Num(r.V(Readers, "64", "outbox_drain_after") / 1000)} s after the 64-doctor level; counting that drain, 16 doctors ") +
            Invariant($"reach {Num(r.V(Readers, "16", "throughput_with_audit"))} req/s and 64 doctors {Num(r.V(Readers, "64", "throughput_with_audit"))} req/s."));
    }

    /// <summary>Issue 15: at 64 doctors, the reads counted with the time their audits took to reach the chain.</summary>
    private static Target AuditPace(ResultTable r)
    {
        var reads = r.V(Readers, "64", "throughput");
        var audited = r.V(Readers, "64", "throughput_with_audit");
        return Ratio("15", "1 KiB reads, 64 concurrent doctors: throughput with the audits drained", audited, reads, "the reads alone", " req/s", "≥ 0.9×", audited / reads >= 0.9,
            Invariant($"The {Concurrency.Rounds} windows of {Concurrency.Window.TotalSeconds:0.#} s at 64 doctors were followed by {Num(r.V(Readers, "64", "outbox_drain_after") / 1000)} s of draining in all. ") +
            "Each doctor's entries go out as one logAccessBatch per round trip (up to Outbox:MaxBatch), signed by the doctor, so the audit's transactions grow " +
            "fuller instead of more numerous as the reads speed up.");
    }

    /// <summary>Issue 15: how long after a window's end its audits were all on the chain, at 16 and 64 doctors.</summary>
    private static Target AuditDrain(ResultTable r)
    {
        var sixteen = r.Value(Readers, "16", "outbox_drain_after_longest") ?? double.NaN;
        var sixtyFour = r.Value(Readers, "64", "outbox_drain_after_longest") ?? double.NaN;
        var worst = Math.Max(sixteen, sixtyFour) / 1000;
        return new Target("15", "Outbox drained after a window, 16 and 64 concurrent doctors (the longest of the windows)", Num(worst) + " s",
            "the window's end", Invariant($"16: {Num(sixteen / 1000)} s, 64: {Num(sixtyFour / 1000)} s"), "≤ 1 s", worst <= 1.0,
            Invariant($"Summed over the {Concurrency.Rounds} windows: {Num(r.V(Readers, "16", "outbox_drain_after") / 1000)} s at 16 doctors, {Num(r.V(Readers, "64", "outbox_drain_after") / 1000)} s at 64. ") +
            "The drain is timed from the end of the window's last request until no entry is Pending or Sent (the bench polls the table every 5 ms near the end).");
    }

    private static Target Upload(ResultTable r)
    {
        var ours = r.V("upload", "1 MiB", "p50");
        var parts = UploadPrimitives(r, "1 MiB");
        return Ratio("5", "Upload, 1 MiB, p50", ours, parts, "encrypt + IPFS add + share store + tx round trip", " ms", "≤ 1.3×", ours / parts <= 1.3,
            Invariant($"The upload takes {Num(ours)} ms p50 through HTTP (streamed multipart, to the answer); its primitives add up to {Num(parts)} ms (encrypt ") +
            Invariant($"{Num(UploadPart(r, "1 MiB", "encrypt 1 MiB"))}, IPFS add {Num(UploadPart(r, "1 MiB", "ipfs_add 1 MiB"))}, share store {Num(UploadPart(r, "1 MiB", "share_store"))}, transaction round trip ") +
            Invariant($"{Num(UploadPart(r, "1 MiB", "tx_roundtrip"))} ms, each sampled just before every upload). Inside the server: upload {Num(r.V("upload", "1 MiB", "app:upload:p50"))} ms, of which IPFS add ") +
            Invariant($"{Num(r.V("upload", "1 MiB", "app:ipfs.add:p50"))}, share store {Num(r.V("upload", "1 MiB", "app:shares.store:p50"))} and the chain transaction ") +
            Invariant($"{Num(r.V("upload", "1 MiB", "app:chain.transaction:p50"))} ms; app-database time {Num(r.V("upload", "1 MiB", "span:app db:ms"))} ms in ") +
            Invariant($"{Num(r.V("upload", "1 MiB", "span:app db:calls"))} commands. On the wire an upload makes: to the chain {Requests(r, "upload 1 MiB", "chain")}; ") +
            $"to the app database {Requests(r, "upload 1 MiB", "app-db")}; to IPFS {Requests(r, "upload 1 MiB", "ipfs")}.");
    }

    private static Target Memory(ResultTable r, string @case)
    {
        const double Limit = 64 * 1048576.0;
        var idle = r.V(Stages.Memory.Section, @case, "idle_bytes");
        var above = r.V(Stages.Memory.Section, @case, "above_idle_bytes");
        return new Target("5", $"Peak working set, {@case}", Kb(idle + above), $"idle process: {Kb(idle)}", "+" + Kb(above), "≤ +64 MiB", above <= Limit,
            Invariant($"The {@case.Split(' ')[0]} of a 200 MiB record took {Num(r.V(Stages.Memory.Section, @case, "seconds"))} s. Idle: the median working set over 0.5 s after a full, ") +
            Invariant($"compacting collection: {Kb(idle)}. Peak: {Kb(r.V(Stages.Memory.Section, @case, "peak_sampled_bytes"))} sampled every 2 ms ") +
            Invariant($"({r.V(Stages.Memory.Section, @case, "samples"):0} samples), {Kb(r.V(Stages.Memory.Section, @case, "peak_kernel_bytes"))} by the kernel's high-water mark (VmHWM); ") +
            $"the larger counts. The process holds the app and its HTTP client (which streams from a 64 KiB buffer); {r.Text(Stages.Memory.Section, "", "gc")} GC, as the web app.");
    }

    /// <summary>Issue 18: a 1 MiB record read as a FHIR Binary (bearer token) against the page's download, alternating.</summary>
    private static Target FhirBinary(ResultTable r)
    {
        var api = r.V(FhirApi.Section, FhirApi.BinaryRead, "p50");
        var page = r.V(FhirApi.Section, FhirApi.PageRead, "p50");
        return Ratio("18", "1 MiB record read through FHIR Binary, p50", api, page, "through the page (download)", " ms", "≤ 1.1×", api / page <= 1.1,
            Invariant($"Both read the same record as the same granted doctor, one request at a time, alternating (p95: Binary {Num(r.V(FhirApi.Section, FhirApi.BinaryRead, "p95"))} ms, ") +
            Invariant($"page {Num(r.V(FhirApi.Section, FhirApi.PageRead, "p95"))} ms). Both run the same read use case (decision, outbox entry, share rebuild, IPFS, decryption); ") +
            "the API adds the bearer token's validation (OpenIddict, Data Protection; its entry, authorization and user in one query); the page its session check (one query).");
    }

    /// <summary>Issue 18: a gateway's transaction Bundle of 100 Observations against a 100 KiB upload through the page.</summary>
    private static Target FhirBundle(ResultTable r)
    {
        var bundle = r.V(FhirApi.Section, FhirApi.BundleStore, "p50");
        var upload = r.V(FhirApi.Section, FhirApi.PageUpload, "p50");
        return Ratio("18", "Bundle of 100 Observations stored, p50", bundle, upload, "a 100 KiB record uploaded through the page", " ms", "≤ 1.5×", bundle / upload <= 1.5,
            Invariant($"The Bundle ({Num(r.V(FhirApi.Section, FhirApi.BundleStore, "bundle_bytes") / 1024)} KiB of FHIR JSON) is parsed strictly and checked, stored as one encrypted record ") +
            Invariant($"through the same upload pipeline (IPFS, shares, the chain), and answered with a transaction-response; alternating with the uploads (p95: Bundle ") +
            Invariant($"{Num(r.V(FhirApi.Section, FhirApi.BundleStore, "p95"))} ms, upload {Num(r.V(FhirApi.Section, FhirApi.PageUpload, "p95"))} ms). Its FHIR JSON work, timed alone after the series ") +
            Invariant($"(p50): the strict parse of the request {Num(r.V(FhirApi.Section, FhirApi.BundleStore + ": parse request", "p50"))} ms, the serialisation of the stored Bundle ") +
            Invariant($"{Num(r.V(FhirApi.Section, FhirApi.BundleStore + ": serialise stored", "p50"))} ms, and the upload's content check of it as JSON (not parsed as FHIR again) ") +
            Invariant($"{Num(r.V(FhirApi.Section, FhirApi.BundleStore + ": check stored as JSON (content check)", "p50"))} ms: CPU work that the PDF upload does not have, on two cores shared with every service."));
    }

    private static string Requests(ResultTable r, string op, string path) =>
        Invariant($"{Num(r.V("network", op, path + ":requests"))} requests ({r.Text("network", op, path + ":kinds")})");
}
