using System.Numerics;
using EhrShare.Infrastructure.Ethereum.Rpc;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Ethereum.Transactions;

/// <summary>EIP-1559 fees for a transaction.</summary>
public readonly record struct Eip1559Fees(BigInteger MaxPriorityFeePerGas, BigInteger MaxFeePerGas);

/// <summary>
/// Fees from the next block's base fee (<c>eth_feeHistory</c>), cached briefly and shared by concurrent senders so a
/// burst of transactions costs one fee request, not one each.
/// </summary>
public sealed class FeeEstimator(IOptions<ChainOptions> options, TimeProvider timeProvider)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private Task<Eip1559Fees>? _current;
    private long _fetchedAt;

    public FeeEstimator(IOptions<ChainOptions> options)
        : this(options, TimeProvider.System)
    {
    }

    public Task<Eip1559Fees> GetAsync(EthRpcClient rpc, CancellationToken cancellationToken)
    {
        Task<Eip1559Fees> task;
        lock (_lock)
        {
            if (_current is null || _current.IsFaulted || _current.IsCanceled ||
                timeProvider.GetElapsedTime(_fetchedAt) > CacheFor)
            {
                // Not tied to one caller's token: the result is shared. The HTTP timeout bounds it.
                _current = FetchAsync(rpc);
                _fetchedAt = timeProvider.GetTimestamp();
            }

            task = _current;
        }

        return task.WaitAsync(cancellationToken);
    }

    private async Task<Eip1559Fees> FetchAsync(EthRpcClient rpc)
    {
        var o = options.Value;
        var history = await rpc.EthFeeHistoryAsync(1, BlockParameter.Latest, null, CancellationToken.None);
        var priority = new BigInteger(o.MaxPriorityFeePerGasWei);
        return new Eip1559Fees(priority, (history.NextBaseFee * o.BaseFeeMultiplier) + priority);
    }
}
