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

/// <summary>Where a refresh of all records stands.</summary>
public enum ShareRefreshState
{
    Running,
    Finished,
    Failed,
    Cancelled,
}

/// <summary>
/// A refresh of all records (<see cref="ShareRefreshRunner"/>): a row of <c>ShareRefreshRuns</c>, its progress saved
/// after each batch, so that any app instance (or <c>shares refresh</c>) carries it on after a crash.
/// </summary>
public sealed class ShareRefreshRun
{
    public const int NameLength = 256;
    public const int TextLength = 1000;

    public long Id { get; set; }

    /// <summary>The manager (user name) or the command line (<c>shares refresh</c> by an OS user) that started it.</summary>
    public string StartedBy { get; set; } = "";

    /// <summary>Records committed by this moment are refreshed; later ones were split afresh anyway.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>When the run last saved progress (or changed state).</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public ShareRefreshState State { get; set; }

    /// <summary>
    /// 1 while running, else null: a unique column, so that two managers starting at once cannot both make a run.
    /// </summary>
    public bool? Active { get; set; }

    public int RecordsTotal { get; set; }

    /// <summary>Records gone through (refreshed, failed, or removed meanwhile).</summary>
    public int RecordsDone { get; set; }

    /// <summary>Records that could not be refreshed (fewer than k good shares of one generation); they keep their shares.</summary>
    public int RecordsFailed { get; set; }

    /// <summary>The last record of the last saved batch (records go in id order): a resumed run starts after it.</summary>
    public Guid? LastRecordId { get; set; }

    /// <summary>Nodes that did not answer for some record: they keep old shares until <c>shares repair</c>.</summary>
    public string SkippedNodes { get; set; } = "";

    /// <summary>Why it failed, or who cancelled it.</summary>
    public string? Outcome { get; set; }
}
