using System.Text;
using static EhrShare.SystemBench.Reporting.Format;

namespace EhrShare.SystemBench.Reporting;

/// <summary>
/// Issue 5's figures: upload and authorised read of 1 KiB, 1 MiB and 50 MiB records, each beside the sum of its
/// primitives, and the peak working set while a 200 MiB record is uploaded and read.
/// </summary>
public static class SizesAndMemorySection
{
    private static readonly string[] Sizes = ["1 KiB", "1 MiB", "50 MiB"];

    public static void Write(StringBuilder md, ResultTable r)
    {
        md.AppendLine("## Upload and read by size beside their primitives, and memory (issue 5)");
        md.AppendLine();
        md.AppendLine("Read primitives: eth_call + share read + IPFS cat + decrypt of that size. Upload primitives: encrypt + IPFS add of that size + share store + a transaction round trip. Target for both: ≤ 1.3× at 1 MiB.");
        md.AppendLine();
        md.AppendLine("| size | upload p50 | upload primitives | ratio | read p50 | read primitives | ratio | read MiB/s |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var size in Sizes)
        {
            var upload = r.V("upload", size, "p50");
            var uploadParts = Targets.UploadPrimitives(r, size);
            var read = r.V(Targets.Auto, "authorised " + size, "p50");
            var readParts = Targets.ReadPrimitives(r, size);
            var mib = size == "50 MiB" ? 50.0 : size == "1 MiB" ? 1.0 : 1.0 / 1024;
            md.AppendLine(Invariant($"| {size} | {Num(upload)} ms | {Num(uploadParts)} ms | {upload / uploadParts:0.00}× | {Num(read)} ms | {Num(readParts)} ms | {read / readParts:0.00}× | {mib / (read / 1000):0.0} |"));
        }

        md.AppendLine();
        md.AppendLine("Peak working set of the process (the app and its HTTP client; the client streams the file from a 64 KiB buffer and reads the download into a 256 KiB one). " +
            "Method: a full, compacting, blocking GC, then the idle working set is the median of 25 samples over 0.5 s; during the operation a dedicated thread samples " +
            "`Process.WorkingSet64` every 2 ms, and Linux's high-water mark (`VmHWM`, reset through `/proc/self/clear_refs` just before) catches any peak between samples; " +
            "the larger of the two peaks, minus idle, is the figure. Target: ≤ 64 MiB above idle.");
        md.AppendLine();
        md.AppendLine("| 200 MiB record | idle | peak (sampled) | peak (VmHWM) | above idle | time |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var op in new[] { "upload 200 MiB", "read 200 MiB" })
        {
            md.AppendLine(Invariant($"| {op.Split(' ')[0]} | {Kb(r.V("memory", op, "idle_bytes"))} | {Kb(r.V("memory", op, "peak_sampled_bytes"))} | {Kb(r.V("memory", op, "peak_kernel_bytes"))} | **{Kb(r.V("memory", op, "above_idle_bytes"))}** | {Num(r.V("memory", op, "seconds"))} s |"));
        }

        md.AppendLine();
    }
}
