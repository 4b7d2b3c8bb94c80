using System.ComponentModel.DataAnnotations;

namespace EhrShare.Infrastructure.Outbox;

/// <summary>
/// The access-log outbox dispatcher's settings, section <c>Outbox</c> (environment: <c>Outbox__PollInterval</c>, …),
/// validated at start.
/// </summary>
public sealed class OutboxOptions : IValidatableObject
{
    public const string SectionName = "Outbox";

    /// <summary>Whether this instance sends the access log at all (e.g. off for a read-only replica).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the outbox is scanned when nothing signals a new entry.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = "Outbox:PollInterval must be between 50 ms and 10 min.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Entries read per scan.</summary>
    [Range(1, 5000, ErrorMessage = "Outbox:ScanSize must be between 1 and 5000.")]
    public int ScanSize { get; set; } = 1000;

    /// <summary>
    /// The most entries of one doctor logged in one transaction (<c>logAccessBatch</c>; about 9,000 gas each, and each
    /// adds 128 bytes to the signed transaction the outbox keeps).
    /// </summary>
    [Range(1, 100, ErrorMessage = "Outbox:MaxBatch must be between 1 and 100.")]
    public int MaxBatch { get; set; } = 50;

    /// <summary>
    /// How long the dispatcher waits, once woken, before it scans: the entries of reads made meanwhile join the batch.
    /// Zero sends at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01", ErrorMessage = "Outbox:BatchWait must be between 0 and 1 s.")]
    public TimeSpan BatchWait { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Batches (transactions) on their way to the chain at once, across all accounts.</summary>
    [Range(1, 256, ErrorMessage = "Outbox:MaxConcurrency must be between 1 and 256.")]
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>The wait after a first failure; it doubles with each further one, up to <see cref="MaxBackoff"/> (±20 % jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "Outbox:InitialBackoff must be between 10 ms and 1 h.")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00", ErrorMessage = "Outbox:MaxBackoff must be between 10 ms and 1 day.")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A sent transaction the node no longer knows (neither pending nor mined: dropped from its pool, or the chain was
    /// reset) this long after it was sent is replaced by a new one. Long enough for a transaction to reach the node
    /// through a network's gossip; the recorded hash is always checked for a receipt first.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Outbox:ResendAfter must be between 1 s and 1 day.")]
    public TimeSpan ResendAfter { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxBackoff < InitialBackoff)
        {
            yield return new ValidationResult("Outbox:MaxBackoff must not be shorter than Outbox:InitialBackoff.", [nameof(MaxBackoff)]);
        }
    }
}
