using EhrShare.Core.Common;
using EhrShare.Core.Records;

namespace EhrShare.Infrastructure.Ipfs;

/// <summary>
/// Records' ciphertext in IPFS through the Kubo RPC API: added with Kubo's defaults for CIDv0 and pinned, read back
/// streamed, unpinned on removal or rollback. The file name given to IPFS is always "record": the patient's file
/// name is part of the secret block, not of what IPFS sees. Failures, including those while the ciphertext streams,
/// come out as <see cref="DependencyUnavailableException"/> for "ipfs".
/// </summary>
internal sealed class IpfsRecordBlobStore(KuboRpcClient ipfs) : IRecordBlobStore
{
    private const string Dependency = "ipfs";

    public async Task<string> AddAsync(Stream ciphertext, CancellationToken cancellationToken) =>
        (await Call(() => ipfs.AddAsync(ciphertext, "record", cancellationToken: cancellationToken))).Cid;

    public async Task<Stream> OpenReadAsync(string cid, CancellationToken cancellationToken) =>
        new DeliveryFailureStream(await Call(() => ipfs.CatAsync(cid, cancellationToken)));

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
            throw new DependencyUnavailableException(Dependency, "The IPFS node is not reachable right now; nothing was changed. Please try again shortly.", e);
        }
        catch (IpfsException e)
        {
            throw new DependencyUnavailableException(Dependency, $"The IPFS node refused the request ({e.Message}).", e);
        }
    }

    /// <summary>
    /// The node answers a cat before it has every block (Kubo and the dev node both do), so a lost block or a node
    /// that goes away shows up only while reading: as the same typed error the other calls give, not as the client's
    /// own exceptions. The node's message (it names CIDs) stays in the inner exception, for the log.
    /// </summary>
    private sealed class DeliveryFailureStream(Stream inner) : ForwardReadStream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return inner.Read(buffer, offset, count);
            }
            catch (Exception e) when (e is IpfsException or IpfsUnavailableException)
            {
                throw Failed(e);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (e is IpfsException or IpfsUnavailableException)
            {
                throw Failed(e);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }

        private static DependencyUnavailableException Failed(Exception e) => new(
            Dependency,
            e is IpfsUnavailableException
                ? "The IPFS node could not deliver the record: the connection to it was lost. Please try again shortly."
                : "The IPFS node could not deliver the record: it is missing part of the encrypted content (logged for the administrator).",
            e);
    }
}
