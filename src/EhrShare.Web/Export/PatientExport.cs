using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using EhrShare.Core.Access;
using EhrShare.Core.Common;
using EhrShare.Core.Records;
using EhrShare.Web.Api.Fhir;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Task = System.Threading.Tasks.Task;

namespace EhrShare.Web.Export;

/// <summary>What an export holds, gathered before the first byte is sent: the whole access history (read before any
/// record, so the export's own reads are not in it) and the list of records.</summary>
public sealed record PatientExportContents(
    string PatientUserId,
    string Address,
    IReadOnlyList<HistoryEntry> History,
    bool HistoryIncomplete,
    ulong HistoryAsOfBlock,
    IReadOnlyList<RecordSummary> Records,
    DateTimeOffset At);

/// <summary>
/// The patient's right of access: every record (decrypted through the read use case, so each read is decided by the
/// contract and logged as the patient's own read, as a download from the page is) and the access history as CSV and as a
/// FHIR R4 Bundle of AuditEvents (<see cref="AuditEventMapping"/>), each entry with its transaction hash, in one ZIP
/// written straight to the response: a record passes through in chunks and is never held whole. A record that cannot be
/// read is replaced by a text file saying why, and listed in <c>PROBLEMS.txt</c>; the rest of the export goes on.
/// </summary>
public static class PatientExport
{
    public const string ContentType = "application/zip";

    /// <summary>The whole history, page by page, oldest page last; an entry seen twice (the history grew between pages) once.</summary>
    public static async Task<(List<HistoryEntry> Entries, bool Incomplete, ulong AsOfBlock)> HistoryAsync(AccessHistory history, string patientUserId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        var entries = new List<HistoryEntry>();
        var seen = new HashSet<HistoryEntry>();
        var incomplete = false;
        ulong asOf = 0;
        for (var page = 1; ; page++)
        {
            var found = await history.ForPatientAsync(patientUserId, page, new HistoryFilter(), cancellationToken);
            incomplete |= found.Incomplete;
            asOf = page == 1 ? found.AsOfBlock : asOf;
            entries.AddRange(found.Entries.Where(seen.Add));
            if (found.Page >= found.PageCount)
            {
                return (entries, incomplete, asOf);
            }
        }
    }

    public static string FileName(PatientExportContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        return $"ehrshare-export-{contents.Address}-{contents.At.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.zip";
    }

    /// <summary>Writes the ZIP to <paramref name="output"/> (not seekable is fine: entries carry data descriptors).</summary>
    public static async Task WriteAsync(PatientExportContents contents, ReadRecord read, Stream output, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ArgumentNullException.ThrowIfNull(read);
        // The archive writes into a small buffer (ZipArchive still writes synchronously when an entry is closed), which is
        // drained to the response asynchronously after each piece.
        await using var buffer = new DrainBuffer(output);
        await using (var zip = await ZipArchive.CreateAsync(buffer, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8, cancellationToken))
        {
            await WriteEntriesAsync(zip, buffer, contents, read, logger, cancellationToken);
        }

        await buffer.DrainAsync(cancellationToken);
    }

    private static async Task WriteEntriesAsync(ZipArchive zip, DrainBuffer buffer, PatientExportContents contents, ReadRecord read, ILogger logger, CancellationToken cancellationToken)
    {
        var files = contents.Records.Select((r, i) => (Record: r, Path: $"records/{i + 1:000}-{SafeName(r.FileName)}")).ToList();

        await WriteTextAsync(zip, "README.txt", Readme(contents), cancellationToken);
        await WriteTextAsync(zip, "records.csv", RecordsCsv(files), cancellationToken);
        await WriteTextAsync(zip, "history.csv", HistoryCsv(contents.History), cancellationToken);
        await buffer.DrainAsync(cancellationToken);
        await WriteAuditEventsAsync(zip, buffer, contents, cancellationToken);
        await buffer.DrainAsync(cancellationToken);

        var problems = new List<string>();
        foreach (var (record, path) in files)
        {
            try
            {
                var content = await read.OpenAsync(contents.PatientUserId, record.Id, cancellationToken);
                await using (content.Content)
                {
                    var entry = zip.CreateEntry(path, CompressionLevel.Fastest);
                    entry.LastWriteTime = record.CreatedAt;
                    await using (var target = await entry.OpenAsync(cancellationToken))
                    {
                        var chunk = new byte[81920];
                        int count;
                        while ((count = await content.Content.ReadAsync(chunk, cancellationToken)) > 0)
                        {
                            await target.WriteAsync(chunk.AsMemory(0, count), cancellationToken);
                            await buffer.DrainAsync(cancellationToken);
                        }
                    }

                    await buffer.DrainAsync(cancellationToken);
                }
            }
            catch (EhrException e)
            {
                // The entry is not begun before the read opens, so a failure leaves no partial file: a note stands in.
                logger.LogWarning("Export of patient {PatientUserId}: record {RecordId} left out ({Failure})", contents.PatientUserId, record.Id, e.GetType().Name);
                var note = $"“{record.Title}” ({record.FileName}) could not be read for this export: {e.Message}{Environment.NewLine}Download it later from My records, or export again.";
                problems.Add($"{path}: {e.Message}");
                await WriteTextAsync(zip, path + ".NOT-EXPORTED.txt", note, cancellationToken);
                await buffer.DrainAsync(cancellationToken);
            }
        }

        if (problems.Count > 0)
        {
            await WriteTextAsync(zip, "PROBLEMS.txt", $"{problems.Count} record(s) could not be exported:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}{Environment.NewLine}", cancellationToken);
        }
    }

    private static string Readme(PatientExportContents c) => string.Join(Environment.NewLine,
        $"EhrShare export for the patient at {c.Address}, made {c.At.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC.",
        "",
        $"records/              your {c.Records.Count} record(s), decrypted, as you uploaded them (each read is logged on the chain as your own read).",
        "records.csv           what each file is: title, notes, type, category, size, when added.",
        $"history.csv           your access history ({c.History.Count} entries), newest first, with each entry's transaction hash.",
        "history-auditevents.json  the same history as a FHIR R4 Bundle of AuditEvents (the API's /fhir/R4/AuditEvent).",
        "",
        $"The history is as of block {c.HistoryAsOfBlock.ToString(CultureInfo.InvariantCulture)}."
            + (c.HistoryIncomplete ? " The chain's index was behind or the chain did not answer: the newest events may be missing; export again later." : ""),
        "");

    private static string RecordsCsv(IEnumerable<(RecordSummary Record, string Path)> files)
    {
        var csv = new StringBuilder("file,title,notes,original_file_name,content_type,category,size_bytes,added_utc,record_id\r\n");
        foreach (var (r, path) in files)
        {
            Row(csv, path, r.Title, r.Notes, r.FileName, r.ContentType, RecordCategories.Slug(r.Category), r.Size.ToString(CultureInfo.InvariantCulture), Utc(r.CreatedAt), r.Id.ToString());
        }

        return csv.ToString();
    }

    private static string HistoryCsv(IEnumerable<HistoryEntry> history)
    {
        var csv = new StringBuilder("when_utc,who,what,outcome,denied,emergency,reason,event,doctor_account,record_id,block,on_chain,transaction_hash\r\n");
        foreach (var e in history)
        {
            Row(csv, e.At is { } at ? Utc(at) : "", e.Who, e.What, e.Outcome, Bool(e.IsDenial), Bool(e.IsEmergency), e.Reason, e.Event,
                e.DoctorAccount, e.RecordId is { } id && id != Guid.Empty ? id.ToString() : "", e.BlockNumber?.ToString(CultureInfo.InvariantCulture),
                Bool(e.OnChain), e.TransactionHash);
        }

        return csv.ToString();
    }

    /// <summary>A collection Bundle written entry by entry.</summary>
    private static async Task WriteAuditEventsAsync(ZipArchive zip, DrainBuffer buffer, PatientExportContents contents, CancellationToken cancellationToken)
    {
        var serializer = new BaseFhirJsonSerializer(ModelInfo.ModelInspector);
        var entry = zip.CreateEntry("history-auditevents.json", CompressionLevel.Fastest);
        await using var target = await entry.OpenAsync(cancellationToken);
        await using var json = new Utf8JsonWriter(target, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("resourceType", "Bundle");
        json.WriteString("type", "collection");
        json.WriteString("timestamp", contents.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        json.WriteNumber("total", contents.History.Count);
        json.WriteStartArray("entry");
        foreach (var audit in AuditEventMapping.Map(contents.History, contents.PatientUserId))
        {
            json.WriteStartObject();
            json.WriteString("fullUrl", "urn:uuid:" + GuidOf(audit.Id!));
            json.WritePropertyName("resource");
            serializer.Serialize(audit, json);
            json.WriteEndObject();
            if (json.BytesPending > 64 * 1024)
            {
                await json.FlushAsync(cancellationToken);
                await buffer.DrainAsync(cancellationToken);
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    private static Guid GuidOf(string id) => new(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(id)).AsSpan(0, 16));

    private static async Task WriteTextAsync(ZipArchive zip, string path, string text, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(path, CompressionLevel.Fastest);
        await using var target = await entry.OpenAsync(cancellationToken);
        await target.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    /// <summary>One CSV row (RFC 4180). A cell a spreadsheet would run as a formula is prefixed with <c>'</c>.</summary>
    private static void Row(StringBuilder csv, params string?[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            var cell = cells[i] ?? "";
            if (cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
            {
                cell = "'" + cell;
            }

            if (cell.AsSpan().IndexOfAny("\",\r\n") >= 0)
            {
                cell = "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            }

            csv.Append(i == 0 ? "" : ",").Append(cell);
        }

        csv.Append("\r\n");
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>A file name safe in any unzip tool: no folders, no control or reserved characters, at most 100 characters.</summary>
    private static string SafeName(string fileName)
    {
        var name = Path.GetFileName(fileName.Replace('\\', '/'));
        var safe = new string(name.Select(c => char.IsControl(c) || "/\\:*?\"<>|".Contains(c, StringComparison.Ordinal) ? '_' : c).ToArray()).Trim().TrimStart('.');
        if (safe.Length == 0)
        {
            safe = "record";
        }

        return safe.Length <= 100 ? safe : safe[..50] + "…" + safe[^49..];
    }
}

/// <summary>A write-only, unseekable stream that keeps what is written until <see cref="DrainAsync"/> sends it on.</summary>
internal sealed class DrainBuffer(Stream target) : Stream
{
    private readonly MemoryStream pending = new();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (pending.Length == 0)
        {
            return;
        }

        await target.WriteAsync(pending.GetBuffer().AsMemory(0, (int)pending.Length), cancellationToken);
        pending.SetLength(0);
    }

    public override void Write(byte[] buffer, int offset, int count) => pending.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => pending.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        pending.Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        pending.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            pending.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Sends a <see cref="PatientExport"/> as a download.</summary>
public sealed class PatientExportResult(PatientExportContents contents, ReadRecord read) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var logger = http.RequestServices.GetRequiredService<ILogger<PatientExportResult>>();
        http.Response.ContentType = PatientExport.ContentType;
        http.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment")
        {
            FileNameStar = PatientExport.FileName(contents),
            FileName = PatientExport.FileName(contents),
        }.ToString();
        http.Response.Headers.CacheControl = "no-store";
        await PatientExport.WriteAsync(contents, read, http.Response.Body, logger, http.RequestAborted);
        logger.LogInformation("Export of patient {PatientUserId}: {Records} record(s), {Entries} history entries", contents.PatientUserId, contents.Records.Count, contents.History.Count);
    }
}
