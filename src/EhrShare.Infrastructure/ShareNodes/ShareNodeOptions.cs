using System.ComponentModel.DataAnnotations;
using EhrShare.Sharing;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>The share nodes and the threshold (section <c>ShareNodes</c>).</summary>
public sealed class ShareNodeOptions : IValidatableObject
{
    public const string Section = "ShareNodes";

    /// <summary>
    /// One entry per node, each its own MySQL database with its own connection string
    /// (env <c>ShareNodes__Nodes__0__ConnectionString</c>, <c>ShareNodes__Nodes__0__Name</c>, ...).
    /// The order matters: node i (1-based) holds the share with x = i.
    /// </summary>
    public List<ShareNodeEndpoint> Nodes { get; set; } = [];

    /// <summary>How many shares rebuild a block (k). 2 ≤ k ≤ n; k = n is the paper's strict mode.</summary>
    public int Threshold { get; set; } = 3;

    /// <summary>Per-node timeout for one read or write.</summary>
    public TimeSpan NodeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The field new blocks are split over: <c>Gf256</c> (the default) or <c>Prime127</c>. A string, so that a typo
    /// fails validation with this message instead of a binder error. Existing shares keep the field they were made
    /// with (it is in each share's header), so changing it affects only records stored afterwards.
    /// </summary>
    public string Field { get; set; } = nameof(ShareField.Gf256);

    /// <summary>The refresh of all records (<see cref="ShareRefreshRunner"/>): section <c>ShareNodes:Refresh</c>.</summary>
    public ShareRefreshSettings Refresh { get; set; } = new();

    /// <summary><see cref="Field"/> parsed; valid once the options passed validation. (A method: the options
    /// validator reads every property, and this one throws on an invalid value.)</summary>
    public ShareField GetShareField() => TryParseField(Field, out var parsed) ? parsed : throw new InvalidOperationException(
        $"ShareNodes:Field '{Field}' is not a share field (Gf256 or Prime127).");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Nodes.Count < 2)
        {
            yield return new ValidationResult(
                $"ShareNodes:Nodes needs at least 2 nodes (found {Nodes.Count}); set ShareNodes__Nodes__0__ConnectionString, ShareNodes__Nodes__1__ConnectionString, ...",
                [nameof(Nodes)]);
        }

        if (Nodes.Count > 255)
        {
            yield return new ValidationResult("ShareNodes:Nodes allows at most 255 nodes.", [nameof(Nodes)]);
        }

        for (var i = 0; i < Nodes.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Nodes[i].ConnectionString))
            {
                yield return new ValidationResult(
                    $"ShareNodes:Nodes:{i}:ConnectionString is required (env ShareNodes__Nodes__{i}__ConnectionString).",
                    [nameof(Nodes)]);
            }

            if (Nodes[i].DisplayName(i).Length > ShareNodeEndpoint.MaxNameLength)
            {
                yield return new ValidationResult(
                    $"ShareNodes:Nodes:{i}:Name is longer than {ShareNodeEndpoint.MaxNameLength} characters.", [nameof(Nodes)]);
            }
        }

        var duplicate = Nodes.Select((n, i) => n.DisplayName(i)).GroupBy(n => n, StringComparer.OrdinalIgnoreCase)
            .FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            yield return new ValidationResult($"ShareNodes:Nodes has two nodes named '{duplicate.Key}'.", [nameof(Nodes)]);
        }

        if (Threshold < 2 || (Nodes.Count >= 2 && Threshold > Nodes.Count))
        {
            yield return new ValidationResult(
                $"ShareNodes:Threshold must be between 2 and the number of nodes ({Nodes.Count}); it is {Threshold}.",
                [nameof(Threshold)]);
        }

        if (NodeTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("ShareNodes:NodeTimeout must be positive.", [nameof(NodeTimeout)]);
        }

        if (Refresh.BatchSize is < 1 or > ShareRefreshSettings.MaxBatchSize)
        {
            yield return new ValidationResult(
                $"ShareNodes:Refresh:BatchSize must be between 1 and {ShareRefreshSettings.MaxBatchSize}; it is {Refresh.BatchSize}.", [nameof(Refresh)]);
        }

        if (Refresh.BatchPause < TimeSpan.Zero)
        {
            yield return new ValidationResult("ShareNodes:Refresh:BatchPause must not be negative.", [nameof(Refresh)]);
        }

        if (Refresh.PollInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("ShareNodes:Refresh:PollInterval must be positive.", [nameof(Refresh)]);
        }

        if (!TryParseField(Field, out _))
        {
            yield return new ValidationResult(
                $"ShareNodes:Field must be Gf256 (the default) or Prime127; it is '{Field}'.", [nameof(Field)]);
        }
    }

    private static bool TryParseField(string? value, out ShareField field)
    {
        // Names only: a number would bind to whatever enum value it happens to be.
        field = default;
        var name = value?.Trim();
        return !string.IsNullOrEmpty(name) && char.IsAsciiLetter(name[0])
            && Enum.TryParse(name, ignoreCase: true, out field) && Enum.IsDefined(field);
    }
}

/// <summary>How the refresh of all records runs (docs/decisions/share-refresh-runs.md).</summary>
public sealed class ShareRefreshSettings
{
    public const int MaxBatchSize = 10_000;

    /// <summary>
    /// Records refreshed between two progress saves. After a crash the batch in flight is refreshed again, so a
    /// smaller batch redoes less; a larger one writes the run's row less often.
    /// </summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>A pause after each batch, to spread the load on the share nodes over time (none by default).</summary>
    public TimeSpan BatchPause { get; set; } = TimeSpan.Zero;

    /// <summary>How often an instance looks for a run to take over (one started elsewhere, or left by a crash).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);
}

public sealed class ShareNodeEndpoint
{
    /// <summary>The longest name (the app database keeps the nodes' problem counts by name).</summary>
    public const int MaxNameLength = 100;

    /// <summary>A name for logs and the monitor; defaults to <c>node-{i}</c>.</summary>
    public string? Name { get; set; }

    public string ConnectionString { get; set; } = "";

    public string DisplayName(int index) => string.IsNullOrWhiteSpace(Name) ? $"node-{index + 1}" : Name;
}
