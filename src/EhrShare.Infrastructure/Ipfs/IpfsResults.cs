namespace EhrShare.Infrastructure.Ipfs;

/// <summary>What <c>add</c> stored.</summary>
/// <param name="Cid">The root CID (CIDv0 <c>Qm...</c> with the default options).</param>
/// <param name="Name">The name the node reports for the file.</param>
/// <param name="Size">Cumulative size of the DAG in bytes (all blocks, so a little more than the content).</param>
public sealed record IpfsAddResult(string Cid, string Name, long Size);

/// <summary>Options of <c>add</c>; the defaults give Kubo's CIDv0 and pin the content.</summary>
public sealed record IpfsAddOptions
{
    public static IpfsAddOptions Default { get; } = new();

    public int CidVersion { get; init; }

    public bool Pin { get; init; } = true;
}

public sealed record IpfsVersion(string Version, string? Commit, string? Repo, string? System, string? Golang);

public sealed record IpfsNodeId(string Id, string? PublicKey, IReadOnlyList<string> Addresses, string? AgentVersion);

public sealed record IpfsRepoStat(long RepoSize, long StorageMax, long NumObjects, string? RepoPath, string? Version);
