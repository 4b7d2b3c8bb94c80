using System.Numerics;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;

namespace EhrShare.Infrastructure.Ethereum.Transactions;

/// <summary>
/// A legacy (untyped) transaction <c>rlp([nonce, gasPrice, gasLimit, to, value, data, v, r, s])</c>. With a chain id it
/// follows EIP-155: the signing hash covers <c>[…, chainId, 0, 0]</c> and <c>v = recoveryId + chainId·2 + 35</c>.
/// The app sends only type-2 transactions; this exists to check vectors and read transactions others signed.
/// </summary>
public sealed record LegacyTransaction
{
    public required ulong Nonce { get; init; }

    public required BigInteger GasPrice { get; init; }

    public required ulong GasLimit { get; init; }

    public EthAddress? To { get; init; }

    public BigInteger Value { get; init; }

    public byte[] Data { get; init; } = [];

    /// <summary>The EIP-155 chain id, or null for a pre-EIP-155 transaction (v = 27 or 28).</summary>
    public long? ChainId { get; init; }

    /// <summary>The RLP the signing hash is taken of.</summary>
    public byte[] EncodeForSigning() =>
        ChainId is { } chainId
            ? Rlp.EncodeList([.. Fields(), Rlp.EncodeUInt((ulong)chainId), Rlp.EncodeBytes([]), Rlp.EncodeBytes([])])
            : Rlp.EncodeList(Fields());

    public byte[] GetSigningHash() => Keccak256.Hash(EncodeForSigning());

    public SignedTransaction Sign(EthKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.Sign(GetSigningHash());
        var v = ChainId is { } chainId ? (ulong)(signature.RecoveryId + (chainId * 2) + 35) : (ulong)(27 + signature.RecoveryId);
        var raw = Rlp.EncodeList([
            .. Fields(),
            Rlp.EncodeUInt(v),
            Rlp.EncodeUInt(new BigInteger(signature.R, isUnsigned: true, isBigEndian: true)),
            Rlp.EncodeUInt(new BigInteger(signature.S, isUnsigned: true, isBigEndian: true)),
        ]);
        return new SignedTransaction(0, raw, key.Address, Nonce, ChainId, signature);
    }

    private byte[][] Fields() =>
    [
        Rlp.EncodeUInt(Nonce),
        Rlp.EncodeUInt(GasPrice),
        Rlp.EncodeUInt(GasLimit),
        To is { } to ? Rlp.EncodeBytes(to.ToBytes()) : Rlp.EncodeBytes([]),
        Rlp.EncodeUInt(Value),
        Rlp.EncodeBytes(Data),
    ];
}
