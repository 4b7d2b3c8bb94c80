using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Rpc;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Ethereum;

/// <summary>
/// <c>/health</c> entry "chain": the node answers, its chain id is the configured one, and the configured contract
/// address holds EhrAccess's code.
/// </summary>
public sealed class ChainHealthCheck(EthRpcClient rpc, IOptions<ChainOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        long chainId;
        ulong block;
        try
        {
            chainId = await rpc.EthChainIdAsync(cancellationToken);
            block = await rpc.EthBlockNumberAsync(cancellationToken);
        }
        catch (ChainException ex)
        {
            return HealthCheckResult.Unhealthy($"Chain RPC at {o.RpcUrl} is unreachable: {ex.Message}", ex);
        }

        var data = new Dictionary<string, object> { ["chainId"] = chainId, ["blockNumber"] = block, ["rpcUrl"] = o.RpcUrl };
        if (chainId != o.ChainId)
        {
            return HealthCheckResult.Unhealthy($"The node's chain id is {chainId}, but Chain:ChainId is {o.ChainId}.", data: data);
        }

        if (o.GetContractAddress() is not { } address)
        {
            return HealthCheckResult.Unhealthy("Chain:ContractAddress is not set: deploy the contract (deploy-contract) and record its address.", data: data);
        }

        data["contractAddress"] = address.ToString();
        try
        {
            var code = await rpc.EthGetCodeAsync(address, BlockParameter.Latest, cancellationToken);
            if (code.Length == 0)
            {
                return HealthCheckResult.Unhealthy($"No contract code at Chain:ContractAddress {address} (a reset chain? run deploy-contract).", data: data);
            }

            if (!code.AsSpan().SequenceEqual(ContractArtifact.EhrAccess.DeployedBytecode))
            {
                return HealthCheckResult.Degraded($"The code at {address} differs from this build's EhrAccess (redeploy with deploy-contract).", data: data);
            }
        }
        catch (ChainException ex)
        {
            return HealthCheckResult.Unhealthy($"Reading the contract code at {address} failed: {ex.Message}", ex, data);
        }

        return HealthCheckResult.Healthy($"Chain {chainId} at block {block}; EhrAccess at {address}.", data);
    }
}
