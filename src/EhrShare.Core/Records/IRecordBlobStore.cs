namespace EhrShare.Core.Records;

/// <summary>Where encrypted records live (IPFS). Content is addressed by CID and pinned while the record exists.</summary>
public interface IRecordBlobStore
{
    /// <summary>Adds and pins the ciphertext, streamed; returns its CID.</summary>
    Task<string> AddAsync(Stream ciphertext, CancellationToken cancellationToken);

    /// <summary>Opens the ciphertext for streaming.</summary>
    Task<Stream> OpenReadAsync(string cid, CancellationToken cancellationToken);

    /// <summary>Unpins the content; unpinning what is not pinned is not an error.</summary>
    Task RemoveAsync(string cid, CancellationToken cancellationToken);
}
