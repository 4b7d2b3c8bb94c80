using EhrShare.Infrastructure.Ethereum.Rpc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Ethereum;

/// <summary>
/// At start: a node with another chain id, or no code at the configured contract address, is a configuration error
/// and fails the start; other code there (an older build of the contract) is logged as a warning. An unreachable node
/// is not an error: the app starts and reports the chain down in /health.
/// </summary>
public sealed class ChainStartupCheck(EthRpcClient rpc, IOptions<ChainOptions> options, ILogger<ChainStartupCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        long chainId;
        try
        {
            chainId = await rpc.EthChainIdAsync(cancellationToken);
        }
        catch (ChainException ex)
        {
            logger.LogWarning(ex, "The chain node at {RpcUrl} is not reachable at start; the app starts and /health reports the chain down", o.RpcUrl);
            return;
        }

        if (chainId != o.ChainId)
        {
            throw new InvalidOperationException(
                $"The chain node at {o.RpcUrl} reports chain id {chainId}, but Chain:ChainId is {o.ChainId}. Fix the setting or the node.");
        }

        if (o.GetContractAddress() is not { } address)
        {
            logger.LogWarning("Chain:ContractAddress is not set; run deploy-contract to deploy EhrAccess and record its address");
            return;
        }

        byte[] code;
        try
        {
            code = await rpc.EthGetCodeAsync(address, BlockParameter.Latest, cancellationToken);
        }
        catch (ChainException ex)
        {
            logger.LogWarning(ex, "Could not read the contract code at {ContractAddress}; /health will report it", address);
            return;
        }

        if (code.Length == 0)
        {
            throw new InvalidOperationException(
                $"No contract code at Chain:ContractAddress {address} on chain {chainId} (a new or reset chain?). Run deploy-contract.");
        }

        if (!code.AsSpan().SequenceEqual(Contracts.ContractArtifact.EhrAccess.DeployedBytecode))
        {
            // Not fatal (the old contract still answers what it has), but functions this build added will fail.
            logger.LogWarning(
                "The code at Chain:ContractAddress {ContractAddress} is NOT this build's EhrAccess (an older build?): calls this build " +
                "added will fail. Run setup or deploy-contract to deploy the current contract (it starts empty)", address);
            return;
        }

        logger.LogInformation("Chain {ChainId} at {RpcUrl}; EhrAccess at {ContractAddress}", chainId, o.RpcUrl, address);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
