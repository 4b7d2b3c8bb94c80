using System.ComponentModel.DataAnnotations;

namespace EhrShare.Infrastructure.Ipfs;

/// <summary>Settings of the IPFS (Kubo RPC API) client: configuration section <c>Ipfs</c>.</summary>
public sealed class IpfsOptions : IValidatableObject
{
    public const string SectionName = "Ipfs";

    /// <summary>
    /// Base URL of the Kubo RPC API (not a gateway), e.g. <c>http://127.0.0.1:5001</c>. Env var <c>Ipfs__ApiUrl</c>.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage =
        "The setting Ipfs:ApiUrl (env Ipfs__ApiUrl) is required: the Kubo RPC API of the IPFS node, e.g. http://127.0.0.1:5001.")]
    public string ApiUrl { get; set; } = "";

    /// <summary>Limit for a whole small call (version, id, repo/stat, pin add/rm/ls, repo/gc).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Limit for opening a TCP connection to the node.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Streaming add and cat have no overall limit (large records take as long as they take); they fail when the
    /// node makes no progress for this long: no upload bytes accepted, no answer, or no download bytes.
    /// </summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Pass Kubo's <c>offline=true</c> to cat and pin/add, so a CID the node does not hold fails at once instead of
    /// being searched for on the IPFS network. Records are always added to this node, so the default is true; turn
    /// it off only where blocks should come from other nodes (an IPFS Cluster).
    /// </summary>
    public bool Offline { get; set; } = true;

    internal Uri ApiBaseUri => new(ApiUrl.TrimEnd('/') + "/api/v0/", UriKind.Absolute);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(ApiUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult(
                $"The setting Ipfs:ApiUrl must be an absolute http(s) URL such as http://127.0.0.1:5001, not '{ApiUrl}'.",
                [nameof(ApiUrl)]);
        }
        else if (uri.AbsolutePath.Contains("/api/v0", StringComparison.Ordinal))
        {
            yield return new ValidationResult(
                $"The setting Ipfs:ApiUrl is the node's address without /api/v0 (e.g. http://127.0.0.1:5001), not '{ApiUrl}'.",
                [nameof(ApiUrl)]);
        }

        foreach (var (name, value) in new[]
                 {
                     (nameof(RequestTimeout), RequestTimeout),
                     (nameof(ConnectTimeout), ConnectTimeout),
                     (nameof(StreamIdleTimeout), StreamIdleTimeout),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return new ValidationResult($"The setting Ipfs:{name} must be positive, not {value}.", [name]);
            }
        }
    }
}
