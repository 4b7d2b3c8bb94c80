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
    /// and returns the new address: on a new or reset chain (no code there), and, when
    /// <see cref="ChainOptions.ReplaceOutdatedContract"/> allows it, over other code (an older build of the contract),
    /// with a loud warning, since the new contract starts empty. Other code without that permission is refused with a
    /// <see cref="ChainException"/> that says what to do.
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
            else if (options.Value.ReplaceOutdatedContract == true)
            {
                var replacement = await DeployAsync(options.Value.GetManagerKey(), cancellationToken);
                _logger.LogWarning(
                    "REPLACED THE CONTRACT: the code at the recorded address {OldContractAddress} is not this build's EhrAccess " +
                    "(an older build?), so a new one was deployed at {ContractAddress}. The new contract starts empty: registrations, " +
                    "records, grants and the access history on {OldContractAddress} are not carried over; users approved before must be " +
                    "registered again. The old contract stays on the chain, readable at its address.",
                    address, replacement, address);
                return replacement;
            }
            else
            {
                throw new ChainException(
                    $"The code at the recorded contract address {address} is not this build's EhrAccess (an older build?). " +
                    "Deploying the current one would start an empty contract: registrations, records and grants would not be carried over. " +
                    "Set Chain:ReplaceOutdatedContract=true to do that deliberately (it is the default only in the Development and Test environments).");
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
