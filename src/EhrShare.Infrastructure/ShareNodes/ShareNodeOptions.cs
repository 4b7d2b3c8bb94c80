using System.ComponentModel.DataAnnotations;

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
    }
}

public sealed class ShareNodeEndpoint
{
    /// <summary>A name for logs and the monitor; defaults to <c>node-{i}</c>.</summary>
    public string? Name { get; set; }

    public string ConnectionString { get; set; } = "";

    public string DisplayName(int index) => string.IsNullOrWhiteSpace(Name) ? $"node-{index + 1}" : Name;
}
