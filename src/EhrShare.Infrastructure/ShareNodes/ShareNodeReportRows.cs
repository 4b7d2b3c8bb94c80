namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>
/// How many problems of one kind a node has had, and the last of them: a row of <c>ShareNodeProblems</c> (key: node
/// and kind), added to by every app instance through <see cref="ShareNodeReports"/>.
/// </summary>
public sealed class ShareNodeProblemCount
{
    public string Node { get; set; } = "";

    public ShareProblemKind Kind { get; set; }

    public long Count { get; set; }

    public DateTimeOffset LastAt { get; set; }

    public Guid? LastRecordId { get; set; }

    public string LastDetail { get; set; } = "";
}

/// <summary>A completed share scan as the monitor shows it: a row of <c>ShareScans</c> (the newest is the last scan).</summary>
public sealed class ShareScanResult
{
    public long Id { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset FinishedAt { get; set; }

    public int RecordsChecked { get; set; }

    public int RecordsUnrecoverable { get; set; }

    /// <summary>Every problem the scan found, listed or not.</summary>
    public int ProblemCount { get; set; }

    public bool Clean { get; set; }

    /// <summary>One line, as the monitor shows it (<see cref="ShareReportText.Summary"/>).</summary>
    public string Summary { get; set; } = "";
}
