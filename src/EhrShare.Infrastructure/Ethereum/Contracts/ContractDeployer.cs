using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Transactions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Ethereum.Contracts;

/// <summary>
/// Deploys the embedded EhrAccess artifact, signed by the manager's key, unless the recorded address already holds
/// exactly its runtime code (idempotent: <c>deploy-contract</c> can run on every start of a stack).
/// </summary>
public sealed class ContractDeployer(TransactionSender sender, IOptions<ChainOptions> options, ILogger<ContractDeployer>? logger = null)
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>
    /// Returns <paramref name="recordedAddress"/> when the chain has the expected runtime code there; otherwise deploys
    /// and returns the new address (a new chain, a reset dev chain, or a changed contract).
    /// </summary>
    public async Task<EthAddress> EnsureDeployedAsync(string? recordedAddress, CancellationToken cancellationToken = default)
    {
        var artifact = ContractArtifact.EhrAccess;
        if (!string.IsNullOrWhiteSpace(recordedAddress))
        {
            var address = EthAddress.Parse(recordedAddress.Trim());
            var code = await sender.Rpc.EthGetCodeAsync(address, BlockParameter.Latest, cancellationToken);
            if (code.AsSpan().SequenceEqual(artifact.DeployedBytecode))
            {
                _logger.LogInformation("EhrAccess is deployed at {ContractAddress}", address);
                return address;
            }

            if (code.Length == 0)
            {
                _logger.LogWarning("No contract code at the recorded address {ContractAddress} (a new or reset chain); deploying EhrAccess", address);
            }
            else
            {
                _logger.LogWarning("The code at {ContractAddress} is not this build's EhrAccess; deploying the current one", address);
            }
        }

        return await DeployAsync(options.Value.GetManagerKey(), cancellationToken);
    }

    /// <summary>Deploys a new EhrAccess owned by <paramref name="owner"/> and checks its code landed.</summary>
    public async Task<EthAddress> DeployAsync(EthKey owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var artifact = ContractArtifact.EhrAccess;
        var receipt = await sender.SendAndWaitAsync(
            owner,
            new TransactionRequest { Data = artifact.Bytecode, Description = "deploy EhrAccess", Abi = artifact.Abi },
            cancellationToken);
        var address = receipt.ContractAddress ?? throw new ChainException($"Deployment {receipt.TransactionHash} has no contract address in its receipt.");
        var code = await sender.Rpc.EthGetCodeAsync(address, BlockParameter.Latest, cancellationToken);
        if (!code.AsSpan().SequenceEqual(artifact.DeployedBytecode))
        {
            throw new ChainException($"Deployed EhrAccess at {address} but its runtime code differs from the artifact.");
        }

        _logger.LogInformation(
            "Deployed EhrAccess ({Compiler}) at {ContractAddress} in block {BlockNumber}, gas {GasUsed}, owner {Owner}",
            artifact.CompilerVersion, address, receipt.BlockNumber, receipt.GasUsed, owner.Address);
        return address;
    }
}
