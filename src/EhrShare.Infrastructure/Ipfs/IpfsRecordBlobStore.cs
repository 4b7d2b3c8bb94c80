using EhrShare.Core.Common;
using EhrShare.Core.Records;

namespace EhrShare.Infrastructure.Ipfs;

/// <summary>
/// Records' ciphertext in IPFS through the Kubo RPC API: added with Kubo's defaults for CIDv0 and pinned, read back
/// streamed, unpinned on removal or rollback. The file name given to IPFS is always "record": the patient's file
/// name is part of the secret block, not of what IPFS sees.
/// </summary>
internal sealed class IpfsRecordBlobStore(KuboRpcClient ipfs) : IRecordBlobStore
{
    public async Task<string> AddAsync(Stream ciphertext, CancellationToken cancellationToken) =>
        (await Call(() => ipfs.AddAsync(ciphertext, "record", cancellationToken: cancellationToken))).Cid;

    public Task<Stream> OpenReadAsync(string cid, CancellationToken cancellationToken) =>
        Call(() => ipfs.CatAsync(cid, cancellationToken));

    public Task RemoveAsync(string cid, CancellationToken cancellationToken) =>
        Call(() => ipfs.PinRmAsync(cid, cancellationToken));

    private static async Task<T> Call<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (IpfsUnavailableException e)
        {
            throw new DependencyUnavailableException("ipfs", "The IPFS node is not reachable right now; nothing was changed. Please try again shortly.", e);
        }
        catch (IpfsException e)
        {
            throw new DependencyUnavailableException("ipfs", $"The IPFS node refused the request ({e.Message}).", e);
        }
    }
}
