using System.ComponentModel.DataAnnotations;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;

namespace EhrShare.Infrastructure.Ethereum;

/// <summary>
/// The chain module's settings, section <c>Chain</c> (environment: <c>Chain__RpcUrl</c>, …). Validated at start; a
/// missing or malformed setting fails the start with a message naming it.
/// </summary>
public sealed class ChainOptions : IValidatableObject
{
    public const string SectionName = "Chain";

    /// <summary>The node's JSON-RPC endpoint, e.g. <c>http://127.0.0.1:8545</c>.</summary>
    [Required(ErrorMessage = "Chain:RpcUrl is not set: the JSON-RPC endpoint of the chain node, e.g. http://127.0.0.1:8545.")]
    public string RpcUrl { get; set; } = "";

    /// <summary>The chain id the node must report (31337 for anvil); signed transactions carry it.</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Chain:ChainId is not set: the chain id the node must report (31337 for anvil).")]
    public long ChainId { get; set; }

    /// <summary>The EhrAccess contract's address; empty until <c>deploy-contract</c> has recorded it.</summary>
    public string? ContractAddress { get; set; }

    /// <summary>
    /// The EHR manager's (contract owner's) private key, 64 hex digits. A secret: from user secrets or the environment,
    /// never from a committed file (anvil's first dev key is public and for development only).
    /// </summary>
    [Required(ErrorMessage = "Chain:ManagerPrivateKey is not set: the EHR manager's private key (64 hex digits), a secret.")]
    public string ManagerPrivateKey { get; set; } = "";

    /// <summary>Timeout of one JSON-RPC request.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Chain:RequestTimeout must be between 0.1 s and 10 min.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for a sent transaction to be mined.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Chain:ReceiptTimeout must be between 1 s and 1 h.")]
    public TimeSpan ReceiptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Interval between receipt polls once the first quick polls found nothing.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ErrorMessage = "Chain:ReceiptPollInterval must be between 10 ms and 1 min.")]
    public TimeSpan ReceiptPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The priority fee (tip) per gas offered, in wei (default 1 gwei).</summary>
    [Range(0, long.MaxValue, ErrorMessage = "Chain:MaxPriorityFeePerGasWei must not be negative.")]
    public long MaxPriorityFeePerGasWei { get; set; } = 1_000_000_000;

    /// <summary>Max fee per gas = next base fee × this + the priority fee (2 survives six full blocks of base fee rise).</summary>
    [Range(1, 100, ErrorMessage = "Chain:BaseFeeMultiplier must be between 1 and 100.")]
    public int BaseFeeMultiplier { get; set; } = 2;

    /// <summary>Gas limit = estimate × this, so a state change between estimate and execution does not run out of gas.</summary>
    [Range(1.0, 3.0, ErrorMessage = "Chain:GasLimitMultiplier must be between 1 and 3.")]
    public double GasLimitMultiplier { get; set; } = 1.25;

    /// <summary>Ether the manager sends to a newly approved user's account to pay for its transactions.</summary>
    [Range(typeof(decimal), "0", "1000", ErrorMessage = "Chain:AccountFundingEth must be between 0 and 1000.")]
    public decimal AccountFundingEth { get; set; } = 1m;

    /// <summary>
    /// Whether <c>setup</c>/<c>deploy-contract</c> may deploy a new EhrAccess when the recorded address holds other code
    /// (an older build of the contract). A new contract starts empty: registrations, records and grants on the old one
    /// are not carried over. Unset: allowed in the Development and Test environments (dev and test stacks), refused
    /// elsewhere, so a production chain is never replaced by accident.
    /// </summary>
    public bool? ReplaceOutdatedContract { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RpcUrl.Length > 0 &&
            (!Uri.TryCreate(RpcUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult($"Chain:RpcUrl '{RpcUrl}' is not an absolute http(s) URL.", [nameof(RpcUrl)]);
        }

        if (!string.IsNullOrWhiteSpace(ContractAddress) && !EthAddress.TryParse(ContractAddress.Trim(), out _))
        {
            yield return new ValidationResult(
                $"Chain:ContractAddress '{ContractAddress}' is not an address (0x and 40 hex digits, EIP-55 checksum if mixed case).",
                [nameof(ContractAddress)]);
        }

        if (ManagerPrivateKey.Length > 0 && !Hex.IsHex(ManagerPrivateKey.Trim(), 32))
        {
            // Never echo the value: it is a secret.
            yield return new ValidationResult("Chain:ManagerPrivateKey is not 64 hex digits (optionally prefixed with 0x).", [nameof(ManagerPrivateKey)]);
        }
    }

    /// <summary>The configured contract address, or null while none is recorded.</summary>
    public EthAddress? GetContractAddress() =>
        string.IsNullOrWhiteSpace(ContractAddress) ? null : EthAddress.Parse(ContractAddress.Trim());

    public EthKey GetManagerKey() => EthKey.FromPrivateKey(ManagerPrivateKey.Trim());
}
