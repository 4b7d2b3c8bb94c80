using System.Globalization;
using System.Text;
using EhrShare.SystemBench.Stages;
using static EhrShare.SystemBench.Reporting.Format;

namespace EhrShare.SystemBench.Reporting;

/// <summary>
/// report.md and the plots, from results.csv and samples.csv alone. Every end-to-end figure is set beside the
/// primitives it is made of, measured in the same run; targets are judged on those ratios (the machine is shared and
/// noisy: absolute times move between runs, ratios within a run much less).
/// </summary>
public static class ReportWriter
{
    public const string FileName = "report.md";
    private const string Auto = Targets.Auto;
    private const string Block = Targets.Block;

    public static void Write(string dir, double? runSeconds)
    {
        var r = new ResultTable(dir);
        var md = new StringBuilder();
        md.AppendLine("# EhrShare system benchmark");
        md.AppendLine();
        md.AppendLine(Invariant($"Run {r.Text("machine", "", "started")}; `./ehr bench` took {(runSeconds is { } s ? $"{s / 60:0.0} min ({s:0} s) from start to report, build included" : "(not timed)")}. ") +
            "Every figure below was measured in this one run, on this machine; ratios compare figures of the same run.");
        md.AppendLine();
        Machine(md, r);
        var targets = Targets.From(r);
        Headline(md, r, targets);
        TargetDetails(md, targets);
        Uploads(md, r);
        SizesAndMemorySection.Write(md, r);
        Access(md, r);
        Concurrency(md, r);
        Network(md, r);
        Gas(md, r);
        ChainLength(md, r);
        Storage(md, r);
        Primitives(md, r);
        Method(md);
        MakePlots(dir, r);
        File.WriteAllText(Path.Combine(dir, FileName), md.ToString());
        File.WriteAllText(Path.Combine(dir, "headline.md"), HeadlineOnly(r, targets));
    }

    // ------------------------------------------------------------------ headline and targets

    private static void Headline(StringBuilder md, ResultTable r, IReadOnlyList<Target> targets)
    {
        md.AppendLine("## Headline");
        md.AppendLine();
        md.Append(HeadlineOnly(r, targets));
        md.AppendLine();
    }

    private static string HeadlineOnly(ResultTable r, IReadOnlyList<Target> targets)
    {
        var md = new StringBuilder();
        md.AppendLine("| issue | figure | EhrShare (this run) | compared with (same run) | ratio | target | |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var t in targets)
        {
            md.AppendLine($"| {t.Issue} | {t.Name} | {t.Ours} | {t.Baseline} | {t.Compared} | {t.Goal} | {(t.Met ? "met" : "**missed**")} |");
        }

        md.AppendLine();
        md.AppendLine("| figure | EhrShare (this run) | published anchor |");
        md.AppendLine("|---|---|---|");
        var upload = r.V("upload", "1 MiB", "p50");
        var read = r.V(Auto, "authorised 1 MiB", "p50");
        md.AppendLine(Invariant($"| 1 MiB record end to end (upload p50 + authorised read p50) | {Num(upload + read)} ms | 0.7–1.4 s for a 1 MB record (arXiv 2511.17464, S3 vs IPFS) |"));
        md.AppendLine(Invariant($"| Fastest authorised read (1 KiB, min) | {Num(r.V(Auto, "authorised 1 KiB", "min"))} ms | 14 ms minimum latency (Frontiers in Medicine 2024) |"));
        md.AppendLine(Invariant($"| Access response p50: authorised 1 KiB read / unauthorised attempt | {Num(r.V(Auto, "authorised 1 KiB", "p50"))} / {Num(r.V(Auto, "unauthorised", "p50"))} ms | 10–41 ms response (Alkhalil et al. 2025) |"));
        md.AppendLine(Invariant($"| Bytes per 1 MiB read, all paths (browser, chain, IPFS, shares, app DB) | {Kb(NetTotal(r, "read 1 MiB"))} ({NetTotal(r, "read 1 MiB") / Sizes.OneMiB:0.00}× the record) | |"));
        md.AppendLine(Invariant($"| Stored per node per record: Shamir share / full replication of the block | {Num(r.V("storage", "node-1", "share_bytes"))} B / {Num(r.V("storage", "block", "block_bytes"))} B | |"));
        return md.ToString();
    }

    private static void TargetDetails(StringBuilder md, IReadOnlyList<Target> targets)
    {
        md.AppendLine("## Targets: met or missed, and why");
        md.AppendLine();
        md.AppendLine("Targets are judged against baselines measured in this run (reported, never asserted in tests); the published anchors above are other systems on other machines, for scale only.");
        md.AppendLine();
        foreach (var t in targets)
        {
            md.AppendLine($"**{t.Name} (issue {t.Issue}): {(t.Met ? "met" : "missed")}** ({t.Compared}, target {t.Goal}).");
            md.AppendLine();
            md.AppendLine(t.Why);
            md.AppendLine();
        }
    }

    // ------------------------------------------------------------------ sections

    private static void Machine(StringBuilder md, ResultTable r)
    {
        md.AppendLine("## Machine and versions");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---|");
        foreach (var key in new[] { "cpu", "cores", "memory", "os", ".NET", "MariaDB", "anvil", "IPFS node", "Node.js", "share nodes" })
        {
            md.AppendLine($"| {key} | {r.Text("machine", "", key)} |");
        }

        md.AppendLine($"| chain | automine, then {r.Text(Block, "", "block_time")} |");
        md.AppendLine();
    }

    private static void Uploads(StringBuilder md, ResultTable r)
    {
        md.AppendLine("## Upload latency by size (HTTP, streamed multipart, one at a time)");
        md.AppendLine();
        md.AppendLine("| size | n | p50 | p95 | primitives (encrypt + IPFS add + share store + tx) | ratio | in the server: upload / ipfs.add / shares.store / chain.transaction | MiB/s at p50 |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var (bytes, name) in Sizes.Upload)
        {
            var p50 = r.V("upload", name, "p50");
            var prims = Targets.UploadPrimitives(r, name);
            md.AppendLine(Invariant($"| {name} | {r.V("upload", name, "count")} | {Num(p50)} ms | {Num(r.V("upload", name, "p95"))} ms | {Num(prims)} ms | {p50 / prims:0.00}× | ") +
                Invariant($"{Num(r.V("upload", name, "app:upload:p50"))} / {Num(r.V("upload", name, "app:ipfs.add:p50"))} / {Num(r.V("upload", name, "app:shares.store:p50"))} / {Num(r.V("upload", name, "app:chain.transaction:p50"))} ms | {bytes / 1048576.0 / (p50 / 1000):0.0} |"));
        }

        md.AppendLine();
        md.AppendLine($"![upload latency vs size]({Plots.LatencyBySize})");
        md.AppendLine();
    }

    private static void Access(StringBuilder md, ResultTable r)
    {
        md.AppendLine("## Access control: authorised reads vs unauthorised attempts");
        md.AppendLine();
        md.AppendLine("Each series is 200 requests, one at a time, after 10 warm-up requests; a read is timed to its last byte. An unauthorised attempt is decided by the contract (a view), " +
            "made durable in the outbox and answered 403 with the reason; the attempt reaches the chain as a denial in the background, like every read.");
        md.AppendLine();
        md.AppendLine("| chain | request | p50 | p95 | p99 | max | in the server: read.open / access.decision / shares.rebuild (p50) |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (section, mode) in new[] { (Auto, "automine"), (Block, "1 s blocks") })
        {
            foreach (var c in new[] { "authorised 1 MiB", "unauthorised", "authorised 1 KiB" })
            {
                md.AppendLine(Invariant($"| {mode} | {c} | {Num(r.V(section, c, "p50"))} ms | {Num(r.V(section, c, "p95"))} ms | {Num(r.V(section, c, "p99"))} ms | {Num(r.V(section, c, "max"))} ms | ") +
                    Invariant($"{Num(r.V(section, c, "app:read.open:p50"))} / {Num(r.V(section, c, "app:access.decision:p50"))} / {Num(r.V(section, c, "app:shares.rebuild:p50"))} ms |"));
            }

            md.AppendLine(Invariant($"| {mode} | read, until its audit transaction is mined | {Num(r.V(section, "read until audit mined", "p50"))} ms | {Num(r.V(section, "read until audit mined", "p95"))} ms | | {Num(r.V(section, "read until audit mined", "max"))} ms | |"));
        }

        md.AppendLine();
        md.AppendLine($"![access latency CDF]({Plots.AccessCdf})");
        md.AppendLine();
    }

    private static void Concurrency(StringBuilder md, ResultTable r)
    {
        md.AppendLine(Invariant($"## Concurrency (closed loop, 1 KiB records, levels interleaved: {Stages.Concurrency.Rounds} rounds of {Stages.Concurrency.Window.TotalSeconds:0.#} s per level after {Stages.Concurrency.Warmup.TotalSeconds:0.#} s of warm-up)"));
        md.AppendLine();
        md.AppendLine(Invariant($"Each round gives every level a window in turn, so the levels compared (each with one client) see the same load; a level's figures pool its {Stages.Concurrency.Rounds} windows ({(Stages.Concurrency.Window * Stages.Concurrency.Rounds).TotalSeconds:0} s). ") +
            "Throughput counts the requests completed in the windows. The audit transactions still queued when a window ends are drained before the next one; " +
            "\"with their audits\" divides the same count by the windows plus those drain times (summed in the next-to-last column; the last one is the longest drain after one window). " +
            "Each doctor's audit entries go out in batches (`logAccessBatch`, up to `Outbox:MaxBatch` per transaction).");
        md.AppendLine();
        md.AppendLine("| clients | throughput | vs 1 client | with their audits | p50 | p95 | p99 | outbox drained after the windows in | longest after one window |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var (section, levels, what) in new[] { ("concurrency readers", Stages.Concurrency.ReaderLevels, "doctors reading"), ("concurrency uploaders", Stages.Concurrency.UploaderLevels, "patients uploading") })
        {
            var one = r.V(section, "1", "throughput");
            foreach (var level in levels)
            {
                var c = level.ToString(CultureInfo.InvariantCulture);
                md.AppendLine(Invariant($"| {level} {what} | {Num(r.V(section, c, "throughput"))} req/s | {r.V(section, c, "throughput") / one:0.00}× | {Num(r.V(section, c, "throughput_with_audit"))} req/s | {Num(r.V(section, c, "p50"))} ms | {Num(r.V(section, c, "p95"))} ms | {Num(r.V(section, c, "p99"))} ms | {Num(r.V(section, c, "outbox_drain_after") / 1000)} s | {Longest(r, section, c)} |"));
            }
        }

        md.AppendLine();
        md.AppendLine($"![throughput vs concurrency]({Plots.Throughput})");
        md.AppendLine();
    }

    /// <summary>The longest drain after one window; "–" in results of runs made before it was measured.</summary>
    private static string Longest(ResultTable r, string section, string @case) =>
        r.Value(section, @case, "outbox_drain_after_longest") is { } ms ? Num(ms / 1000) + " s" : "–";

    private static readonly string[] NetOps = ["upload 1 MiB", "read 1 MiB", "unauthorised attempt", "access request", "grant"];
    private static readonly string[] NetPaths = ["browser", "chain", "ipfs", "shares", "app-db"];

    private static double NetTotal(ResultTable r, string op) =>
        NetPaths.Sum(p => r.V("network", op, p + ":sent") + r.V("network", op, p + ":received"));

    private static void Network(StringBuilder md, ResultTable r)
    {
        md.AppendLine("## Network overhead per operation (bytes on the wire, sent / received by the app; median of 5)");
        md.AppendLine();
        md.AppendLine("Browser: the client's side of its connection to the app. Chain, IPFS, shares (the five share nodes together), app DB: the app's connections, " +
            "through counting TCP proxies. A read or attempt includes its background audit transaction (counted after the outbox drained).");
        md.AppendLine();
        md.AppendLine("| operation | browser | chain RPC | IPFS | share nodes | app DB | total |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var op in NetOps)
        {
            var cells = NetPaths.Select(p => Invariant($"{Kb(r.V("network", op, p + ":sent"))} / {Kb(r.V("network", op, p + ":received"))}"));
            md.AppendLine($"| {op} | {string.Join(" | ", cells)} | {Kb(NetTotal(r, op))} |");
        }

        md.AppendLine();
        md.AppendLine("Requests per operation (JSON-RPC methods, IPFS RPC calls, MySQL commands):");
        md.AppendLine();
        md.AppendLine("| operation | chain RPC | IPFS | share nodes | app DB |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var op in NetOps)
        {
            md.AppendLine($"| {op} | {string.Join(" | ", new[] { "chain", "ipfs", "shares", "app-db" }.Select(p => Invariant($"{Num(r.V("network", op, p + ":requests"))}: {r.Text("network", op, p + ":kinds")}")))} |");
        }

        md.AppendLine();
        md.AppendLine($"![bytes per operation]({Plots.BytesPerOperation})");
        md.AppendLine();
    }

    private static void Gas(StringBuilder md, ResultTable r)
    {
        md.AppendLine("## Gas per contract function (receipts of every transaction of the run)");
        md.AppendLine();
        md.AppendLine("| function | transactions | min | median | max |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var c in r.Cases("gas").Where(c => c != "(all)").Order(StringComparer.Ordinal))
        {
            md.AppendLine(Invariant($"| `{c}` | {r.V("gas", c, "count")} | {r.V("gas", c, "min"):N0} | {r.V("gas", c, "median"):N0} | {r.V("gas", c, "max"):N0} |"));
        }

        md.AppendLine();
        md.AppendLine(Invariant($"{r.V("gas", "(all)", "transactions"):N0} transactions in {r.V("gas", "(all)", "blocks"):N0} blocks."));
        md.AppendLine();
    }

    private static void ChainLength(StringBuilder md, ResultTable r)
    {
        const string section = Stages.ChainLength.Section;
        if (!r.Cases(section).Any())
        {
            return;
        }

        var small = Stages.ChainLength.Sizes[0];
        var large = Stages.ChainLength.Sizes[^1];
        md.AppendLine(Invariant($"## Chain length: History and monitor with {small:N0} and {large:N0} contract events (issue 14)"));
        md.AppendLine();
        md.AppendLine("The same patient's History page (HTTP, signed in) and the monitor's snapshot (the use case, in process), interleaved, "
            + Invariant($"{Stages.ChainLength.Samples} samples each, after the chain was seeded in bulk and the app's chain index (if any) caught up."));
        md.AppendLine();
        md.AppendLine(Invariant($"| page | p50, {small:N0} events | p95 | p50, {large:N0} events | p95 | p50 ratio | target |"));
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (name, key) in new[] { ("History page", "history"), ("Monitor snapshot", "monitor") })
        {
            var a = r.V(section, Invariant($"{key} {small}"), "p50");
            var b = r.V(section, Invariant($"{key} {large}"), "p50");
            md.AppendLine(Invariant($"| {name} | {a:0.0} ms | {r.V(section, $"{key} {small}", "p95"):0.0} ms | {b:0.0} ms | {r.V(section, $"{key} {large}", "p95"):0.0} ms | {b / a:0.00}× | ≤ 1.5× {(b / a <= 1.5 ? "met" : "**missed**")} |"));
        }

        md.AppendLine();
        md.AppendLine(Invariant($"Events on the chain when measured: {r.V(section, $"{small}", "events"):N0} and {r.V(section, $"{large}", "events"):N0}; the index caught up {r.V(section, $"{large}", "index_wait"):0} s after seeding the larger chain."));
        md.AppendLine();
    }

    private static void Storage(StringBuilder md, ResultTable r)
    {
        var block = r.V("storage", "block", "block_bytes");
        var share = r.V("storage", "node-1", "share_bytes");
        var n = r.V("storage", "block", "nodes");
        md.AppendLine("## Storage per record");
        md.AppendLine();
        md.AppendLine(Invariant($"The block (CID, key, hashes, name, type, links) of a record is {Num(block)} bytes. Each of the {n} share nodes keeps one share of it (k = {r.Text("storage", "block", "threshold")})."));
        md.AppendLine();
        md.AppendLine("| per node, per record | bytes | vs the block |");
        md.AppendLine("|---|---|---|");
        md.AppendLine(Invariant($"| Shamir share, GF(2^8) (what the nodes store: payload = block length, 40-byte header and checksum) | {Num(share)} | {share / block:0.00}× |"));
        md.AppendLine(Invariant($"| Shamir share, prime field 2^127 − 1 (the paper's variant) | {Num(r.V("storage", "block", "prime127_share_bytes"))} | {r.V("storage", "block", "prime127_share_bytes") / block:0.00}× |"));
        md.AppendLine(Invariant($"| full replication (the whole block on every node) | {Num(block)} | 1.00× |"));
        md.AppendLine(Invariant($"| InnoDB bytes per row on a node (data + index pages / rows, {r.V("storage", "node-1", "rows")} rows) | {Num(r.V("storage", "node-1", "innodb_bytes_per_row"))} | |"));
        md.AppendLine();
        md.AppendLine(Invariant($"Across the {n} nodes: {Num(share * n)} bytes with Shamir, {Num(block * n)} with full replication: the same order of storage, but no single node ") +
            "(nor any k − 1 of them) learns anything about the CID or the key, where every replica would hold both. Losing n − k nodes loses nothing in either case.");
        md.AppendLine();
        md.AppendLine("| record | plaintext | ciphertext (record format) | IPFS DAG | overhead |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var (_, name) in Sizes.Upload)
        {
            var plain = r.V("storage", "record " + name, "plaintext_bytes");
            var dag = r.V("storage", "record " + name, "ipfs_dag_bytes");
            md.AppendLine(Invariant($"| {name} | {plain:N0} | {r.V("storage", "record " + name, "ciphertext_bytes"):N0} | {dag:N0} | {(dag / plain - 1) * 100:0.00} % |"));
        }

        md.AppendLine();
    }

    private static void Primitives(StringBuilder md, ResultTable r)
    {
        md.AppendLine("## Primitives (same run, same process, the app's own clients; a stage of its own)");
        md.AppendLine();
        md.AppendLine("| primitive | n | min | p50 | p95 |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var c in r.Cases("primitive"))
        {
            md.AppendLine(Invariant($"| {c} | {r.V("primitive", c, "count")} | {Num(r.V("primitive", c, "min"))} ms | {Num(r.V("primitive", c, "p50"))} ms | {Num(r.V("primitive", c, "p95"))} ms |"));
        }

        md.AppendLine();
        md.AppendLine("Interleaved with the end-to-end series (one sample of each before every request; these are the figures the ratios use):");
        md.AppendLine();
        md.AppendLine("| series | primitive | n | min | p50 | p95 |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var section in new[] { "upload", Auto })
        {
            foreach (var c in r.Cases(Stages.Baselines.SectionPrefix + section))
            {
                var colon = c.LastIndexOf(": ", StringComparison.Ordinal);
                md.AppendLine(Invariant($"| {section} {c[..colon]} | {c[(colon + 2)..]} | {r.V(Stages.Baselines.SectionPrefix + section, c, "count")} | {Num(r.V(Stages.Baselines.SectionPrefix + section, c, "min"))} ms | {Num(r.V(Stages.Baselines.SectionPrefix + section, c, "p50"))} ms | {Num(r.V(Stages.Baselines.SectionPrefix + section, c, "p95"))} ms |"));
            }
        }

        md.AppendLine();
        md.AppendLine("eth_call: `hasAccess` through the app's contract client. tx_roundtrip: a transfer signed, sent and awaited until mined (automine). share_read: the vault's rebuild of a " +
            "real record's block (five nodes asked at once, the first three that verify). share_store: split and write to the five nodes. db_write: one insert shaped like the outbox's, " +
            "on a pooled connection (raw, without EF Core). encrypt/decrypt: the record format (AES-256-GCM in 64 KiB segments, SHA-256 of the plaintext); aesgcm_oneshot: one AesGcm call for reference.");
        md.AppendLine();
    }

    private static void Method(StringBuilder md)
    {
        md.AppendLine("## How it is measured");
        md.AppendLine();
        md.AppendLine("- `./ehr bench` starts a fresh bench stack (MariaDB with the app database and five share-node databases, anvil, the IPFS dev node), builds, runs the app's `setup`, " +
            "then `bench/EhrShare.SystemBench`, which hosts the real app (the web project's `Program`, every module, the same configuration) in-process on Kestrel at a real " +
            "loopback port (`WebApplicationFactory.UseKestrel`). Clients talk HTTP/1.1 to it over TCP, with cookies and antiforgery tokens, like the browser: uploads are the " +
            "streamed multipart that `wwwroot/js/upload.js` sends, reads are `/Doctor/Records/{id}/Download` read to the last byte.");
        md.AppendLine("- Patients and doctors are created through the use cases (registration, then the admin's approval: a funded account registered on the contract); " +
            "access is requested and granted through the `RequestAccess` and `GrantAccess` use cases. The owner raises the contract's penalty threshold so the deliberate unauthorised attempts are " +
            "logged and counted but do not suspend the doctor who makes them.");
        md.AppendLine("- Latency series run one request at a time; after each series the bench waits for the access-log outbox to drain, so series do not overlap. The app's " +
            "own step timings (its `ehrshare.operation.duration` histogram) are collected for each series.");
        md.AppendLine("- Baselines are sampled interleaved with what they are compared with. In every upload and access series at automine, each request is preceded by one " +
            "sample of each of its primitives (a read: eth_call, share read, IPFS cat and decrypt of that size; an unauthorised attempt: eth_call and one DB write; an upload: " +
            "encrypt, IPFS add, share store, a transaction round trip), through the app's own clients, outside any HTTP request; the ratios divide the request p50 by the sum " +
            "of those interleaved primitives' p50s, so both sides see the same load on the shared machine. The concurrency levels are interleaved the same way, in rounds. " +
            "The primitives table (a stage of its own, before the series) is kept for the primitives alone; it does not enter the ratios. The 1 s block-time figures " +
            "need anvil restarted, so they are compared with automine's across the two phases.");
        md.AppendLine("- The 1 s block time phase: the script restarts the bench stack's anvil with `--block-time 1` (its state is kept), and the bench runs the access series again.");
        md.AppendLine("- Bytes: a second app instance is pointed at counting TCP proxies in front of the chain RPC, IPFS, each share node and the app database; no timing is taken through them.");
        md.AppendLine("- Memory: the app is hosted with server GC, as the web project runs, and with its upload limit raised to 256 MiB for the 200 MiB record; the method is given with the figures.");
        md.AppendLine("- The hosted app's console log is discarded (its file log is kept) so the terminal shows the progress line.");
        md.AppendLine("- See docs/decisions/system-bench-in-process-with-counting-proxies.md for why the app is hosted in-process and how bytes are counted.");
        md.AppendLine();
    }

    // ------------------------------------------------------------------ plots

    private static void MakePlots(string dir, ResultTable r)
    {
        var sizes = Sizes.Upload.Select(s => s.Name).ToList();
        Plots.LatencyVsSize(Path.Combine(dir, Plots.LatencyBySize), sizes,
        [
            ("upload p50 (HTTP)", sizes.Select(s => r.V("upload", s, "p50")).ToArray()),
            ("upload p95 (HTTP)", sizes.Select(s => r.V("upload", s, "p95")).ToArray()),
            ("sum of primitives", sizes.Select(s => Targets.UploadPrimitives(r, s)).ToArray()),
            ("IPFS add (primitive)", sizes.Select(s => Targets.Part(r, "upload", s, "ipfs_add " + s)).ToArray()),
            ("encrypt (primitive)", sizes.Select(s => Targets.Part(r, "upload", s, "encrypt " + s)).ToArray()),
        ]);
        Plots.LatencyCdf(Path.Combine(dir, Plots.AccessCdf),
        [
            ("authorised 1 MiB, automine", r.Samples(Auto, "authorised 1 MiB")),
            ("unauthorised, automine", r.Samples(Auto, "unauthorised")),
            ("authorised 1 MiB, 1 s blocks", r.Samples(Block, "authorised 1 MiB")),
            ("unauthorised, 1 s blocks", r.Samples(Block, "unauthorised")),
            ("authorised 1 KiB, automine", r.Samples(Auto, "authorised 1 KiB")),
        ]);
        Plots.ThroughputVsConcurrency(Path.Combine(dir, Plots.Throughput),
        [
            ("doctors reading 1 KiB", Stages.Concurrency.ReaderLevels, Stages.Concurrency.ReaderLevels.Select(l => r.V("concurrency readers", l.ToString(CultureInfo.InvariantCulture), "throughput")).ToArray()),
            ("doctors reading 1 KiB, with their audits on the chain", Stages.Concurrency.ReaderLevels, Stages.Concurrency.ReaderLevels.Select(l => r.V("concurrency readers", l.ToString(CultureInfo.InvariantCulture), "throughput_with_audit")).ToArray()),
            ("patients uploading 1 KiB", Stages.Concurrency.UploaderLevels, Stages.Concurrency.UploaderLevels.Select(l => r.V("concurrency uploaders", l.ToString(CultureInfo.InvariantCulture), "throughput")).ToArray()),
        ]);
        Plots.BytesPerOp(Path.Combine(dir, Plots.BytesPerOperation), NetOps,
            NetPaths.Select(p => (p == "app-db" ? "app DB" : p == "ipfs" ? "IPFS" : p == "shares" ? "share nodes" : p == "chain" ? "chain RPC" : p,
                NetOps.Select(op => r.V("network", op, p + ":sent") + r.V("network", op, p + ":received")).ToArray())).ToList());
    }
}
