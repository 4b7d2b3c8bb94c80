using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using EhrShare.Core.Access;
using EhrShare.Core.Records;
using EhrShare.Core.Records.Content;
using EhrShare.Core.Users;

namespace EhrShare.Web.Models;

public sealed record PatientDashboardModel(string Name, PatientAddress Address, IReadOnlyList<RecordSummary> Records, UploadRules Upload, int PendingRequests)
{
    /// <summary>Emergencies declared on the patient's records lately: shown in red where the patient lands, too.</summary>
    public IReadOnlyList<EmergencyNotice> Emergencies { get; init; } = [];

    /// <summary>The search and category the list is narrowed to (none: every record).</summary>
    public RecordListFilter Filter { get; init; } = RecordListFilter.From(null, null);

    public long MaxUploadBytes => Upload.MaxBytes;
}

/// <summary>
/// What the upload page's script checks before it sends a byte, with the server's own messages: the types the server
/// accepts (by declared type, then by extension, as <see cref="RecordFiles.ResolveType"/>) and the size limits.
/// </summary>
public sealed record UploadRules(long MaxBytes, long MaxJsonBytes, IReadOnlyList<RecordType> Types)
{
    public static UploadRules From(RecordOptions options) => new(
        options.MaxUploadBytes,
        options.MaxJsonBytes,
        [.. RecordTypes.All.Where(t => options.AllowedContentTypes.Contains(t.ContentType, StringComparer.OrdinalIgnoreCase))]);

    /// <summary>The file input's <c>accept</c>: extensions and types.</summary>
    public string Accept => string.Join(",", Types.Where(t => t.Rule != ContentRule.FhirJson).SelectMany(t => t.Extensions)
        .Concat(Types.Select(t => t.ContentType)).Distinct());

    /// <summary>For the script (data-rules).</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        maxBytes = MaxBytes,
        maxJsonBytes = MaxJsonBytes,
        types = Types.Select(t => t.ContentType),
        jsonTypes = Types.Where(t => t.Rule is ContentRule.Json or ContentRule.FhirJson).Select(t => t.ContentType),
        extensions = Types.Where(t => t.Rule != ContentRule.FhirJson).SelectMany(t => t.Extensions.Select(e => (e, t.ContentType)))
            .ToDictionary(p => p.e, p => p.ContentType),
        messages = new
        {
            type = RecordFiles.TypeNotAccepted,
            tooLarge = RecordFiles.TooLarge(MaxBytes),
            tooLargeJson = RecordFiles.TooLargeForJson(MaxJsonBytes),
        },
    });
}

public sealed record RemoveRecordModel(RecordSummary Record);

/// <summary>A record shown in the app's page: where its inline view and its download are, and the page to go back to.</summary>
public sealed record RecordViewerModel(RecordSummary Record, string ViewUrl, string DownloadUrl, string BackUrl, string BackLabel)
{
    /// <summary>Where the patient's category form posts; null where the reader may not change it (a doctor).</summary>
    public string? CategoryUrl { get; init; }

    public bool IsImage => Record.ContentType.StartsWith("image/", StringComparison.Ordinal);

    public bool IsViewable => RecordFiles.IsViewableInline(Record.ContentType);
}

public sealed record PatientAccessModel(IReadOnlyList<PatientAccessEntry> Entries, IReadOnlyList<EmergencyNotice> Emergencies)
{
    /// <summary>The patient's records, for choosing which a grant covers.</summary>
    public IReadOnlyList<RecordSummary> Records { get; init; } = [];
}

public sealed record EmergencyNotice(string DoctorName, string Reason, DateTimeOffset DeclaredAt);

/// <summary>Every record, or only the ticked ones.</summary>
public enum GrantShare
{
    All,
    Chosen,
}

/// <summary>Which records a grant covers: every record, or the ticked <see cref="Records"/> (ids as the form sends them).</summary>
public class GrantRecordsModel
{
    [Required]
    public string DoctorId { get; set; } = "";

    public GrantShare? Share { get; set; }

    public List<string> Records { get; set; } = [];

    /// <summary>
    /// The choice: null for every record (also when the form does not say, as before records could be chosen), else the
    /// ticked ids; an id that is not one is refused with the message for a record that is not the patient's.
    /// </summary>
    public IReadOnlyCollection<Guid>? Chosen() => Share == GrantShare.Chosen
        ? Records.Select(r => Guid.TryParse(r, out var id) ? id : throw new Core.Common.ValidationFailedException(SharedRecords.NotYours, nameof(Records))).ToList()
        : null;
}

/// <summary>A grant (or an extension of one) for a number of hours or days; <see cref="GrantDuration"/> checks the pair.</summary>
public sealed class GrantModel : GrantRecordsModel
{
    public int? Duration { get; set; }

    public GrantUnit? Unit { get; set; }

    /// <summary>The form's earlier field (a number of days), still accepted when <see cref="Duration"/> is not sent.</summary>
    public int? Days { get; set; }

    public (int? Amount, GrantUnit? Unit) Length => Duration is null && Unit is null && Days is not null ? (Days, GrantUnit.Days) : (Duration, Unit);
}
