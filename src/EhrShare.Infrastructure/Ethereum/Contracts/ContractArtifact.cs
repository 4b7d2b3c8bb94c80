using System.Text.Json;
using EhrShare.Infrastructure.Ethereum.Abi;
using EhrShare.Infrastructure.Ethereum.Encoding;

namespace EhrShare.Infrastructure.Ethereum.Contracts;

/// <summary>
/// A compiled contract as tools/chain/compile.mjs writes it (contracts/build/*.json): ABI, creation and runtime
/// bytecode, compiler version. The EhrAccess artifact is embedded in this assembly so the app needs no Node at run time.
/// </summary>
public sealed class ContractArtifact
{
    private static readonly Lazy<ContractArtifact> EhrAccessArtifact = new(() => LoadEmbedded("EhrShare.Contracts.EhrAccess.json"));

    private ContractArtifact(string contractName, string compilerVersion, ContractAbi abi, byte[] bytecode, byte[] deployedBytecode)
    {
        ContractName = contractName;
        CompilerVersion = compilerVersion;
        Abi = abi;
        Bytecode = bytecode;
        DeployedBytecode = deployedBytecode;
    }

    /// <summary>The embedded EhrAccess artifact.</summary>
    public static ContractArtifact EhrAccess => EhrAccessArtifact.Value;

    public string ContractName { get; }

    public string CompilerVersion { get; }

    public ContractAbi Abi { get; }

    /// <summary>Creation code (what a deployment sends).</summary>
    public byte[] Bytecode { get; }

    /// <summary>Runtime code (what <c>eth_getCode</c> returns once deployed; the contract has no immutables).</summary>
    public byte[] DeployedBytecode { get; }

    public static ContractArtifact Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new ContractArtifact(
            root.GetProperty("contractName").GetString() ?? "",
            root.GetProperty("compiler").GetProperty("version").GetString() ?? "",
            ContractAbi.Parse(root.GetProperty("abi")),
            Hex.Decode(root.GetProperty("bytecode").GetString()!),
            Hex.Decode(root.GetProperty("deployedBytecode").GetString()!));
    }

    private static ContractArtifact LoadEmbedded(string name)
    {
        using var stream = typeof(ContractArtifact).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded contract artifact '{name}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}
