namespace EhrShare.Core.Records;

/// <summary>
/// The share nodes as the use cases see them: a record's block goes in as Shamir shares (one per node) and comes back
/// only when enough shares rebuild a block whose SHA-256 matches the hash the caller got from the chain.
/// </summary>
public interface IShareVault
{
    /// <summary>Splits the block and writes one share per node, in parallel. Fails (and removes what it wrote) when
    /// too few nodes took their share.</summary>
    Task StoreAsync(Guid recordId, ReadOnlyMemory<byte> block, CancellationToken cancellationToken);

    /// <summary>Reads shares in parallel and rebuilds the block from the first k that verify against
    /// <paramref name="expectedBlockHash"/>. Never returns a block that does not match. Bad or missing shares are
    /// reported (logged and counted per node) without failing the read while k good ones remain.</summary>
    Task<byte[]> RebuildAsync(Guid recordId, ReadOnlyMemory<byte> expectedBlockHash, CancellationToken cancellationToken);

    /// <summary>Deletes the record's share from every node (crypto-shredding once fewer than k remain anywhere).
    /// Fails naming the nodes it could not reach; calling it again finishes the job.</summary>
    Task DestroyAsync(Guid recordId, CancellationToken cancellationToken);
}
