using System.Collections.Concurrent;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;

namespace EhrShare.Infrastructure.Ethereum.Transactions;

/// <summary>
/// Hands out nonces per account so many concurrent transactions from one account get consecutive nonces without
/// waiting for each other to be mined. The first reservation reads the pending count from the node; then nonces
/// come from memory. A nonce whose transaction was never accepted is released and handed out again first, so no gap
/// blocks the later ones; "nonce too low" (the account was used elsewhere) resynchronises with the node.
/// One instance per process (a singleton): two instances for one account would hand out the same nonces.
/// </summary>
public sealed class NonceManager
{
    private readonly ConcurrentDictionary<EthAddress, AccountNonces> _accounts = new();
    private readonly ConcurrentDictionary<EthAddress, SemaphoreSlim> _sendLocks = new();

    /// <summary>
    /// Holds an account's send lock: senders take it around reserving a nonce, signing and handing the transaction to
    /// the node, so an account's transactions reach the node in nonce order (a node may leave a later nonce that arrived
    /// first queued for good). Only that short step is serialised; waiting for receipts is not.
    /// </summary>
    public async Task<IDisposable> LockAsync(EthAddress account, CancellationToken cancellationToken)
    {
        var gate = _sendLocks.GetOrAdd(account, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Releaser(gate);
    }

    public async Task<ulong> ReserveAsync(EthAddress account, EthRpcClient rpc, CancellationToken cancellationToken)
    {
        var state = _accounts.GetOrAdd(account, _ => new AccountNonces());
        if (!state.Initialized)
        {
            // Only the first use of an account waits for the node; everyone else takes nonces from memory.
            await state.RpcGate.WaitAsync(cancellationToken);
            try
            {
                if (!state.Initialized)
                {
                    var pending = await rpc.EthGetTransactionCountAsync(account, BlockParameter.Pending, cancellationToken);
                    lock (state.Lock)
                    {
                        state.Next = pending;
                        state.Initialized = true;
                    }
                }
            }
            finally
            {
                state.RpcGate.Release();
            }
        }

        lock (state.Lock)
        {
            if (state.Released.Count > 0)
            {
                var reused = state.Released.Min;
                state.Released.Remove(reused);
                return reused;
            }

            return state.Next++;
        }
    }

    /// <summary>Gives back a nonce whose transaction the node did not accept, so the next reservation fills the gap.</summary>
    public void Release(EthAddress account, ulong nonce)
    {
        if (!_accounts.TryGetValue(account, out var state))
        {
            return;
        }

        lock (state.Lock)
        {
            if (nonce < state.Next)
            {
                state.Released.Add(nonce);
            }

            // Released nonces at the top simply become the next ones again.
            while (state.Released.Count > 0 && state.Released.Max == state.Next - 1)
            {
                state.Released.Remove(state.Next - 1);
                state.Next--;
            }
        }
    }

    /// <summary>Re-reads the pending count after the node said a nonce was already used; never moves backwards.</summary>
    public async Task ResyncAsync(EthAddress account, EthRpcClient rpc, CancellationToken cancellationToken)
    {
        var state = _accounts.GetOrAdd(account, _ => new AccountNonces());
        await state.RpcGate.WaitAsync(cancellationToken);
        try
        {
            var pending = await rpc.EthGetTransactionCountAsync(account, BlockParameter.Pending, cancellationToken);
            lock (state.Lock)
            {
                state.Next = state.Initialized ? Math.Max(state.Next, pending) : pending;
                state.Initialized = true;
                state.Released.RemoveWhere(n => n < pending);
            }
        }
        finally
        {
            state.RpcGate.Release();
        }
    }

    /// <summary>Forgets an account's state: the next reservation reads the node again.</summary>
    public void Reset(EthAddress account) => _accounts.TryRemove(account, out _);

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    private sealed class AccountNonces
    {
        public Lock Lock { get; } = new();

        public SemaphoreSlim RpcGate { get; } = new(1, 1);

        public volatile bool Initialized;

        public ulong Next { get; set; }

        public SortedSet<ulong> Released { get; } = [];
    }
}
