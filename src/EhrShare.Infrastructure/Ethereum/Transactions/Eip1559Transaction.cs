using System.Numerics;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;

namespace EhrShare.Infrastructure.Ethereum.Transactions;

/// <summary>An access-list entry (EIP-2930): an address and the storage keys a transaction declares it will touch.</summary>
public sealed record AccessListEntry(EthAddress Address, IReadOnlyList<byte[]> StorageKeys);

/// <summary>
/// An EIP-1559 (type 2, EIP-2718 envelope) transaction:
/// <c>0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList, yParity, r, s])</c>,
/// signed over <c>keccak256(0x02 ‖ rlp([the first nine fields]))</c>. The chain id in the payload is the replay protection.
/// </summary>
public sealed record Eip1559Transaction
{
    public const byte TypeByte = 0x02;

    public required long ChainId { get; init; }

    public required ulong Nonce { get; init; }

    public required BigInteger MaxPriorityFeePerGas { get; init; }

    public required BigInteger MaxFeePerGas { get; init; }

    public required ulong GasLimit { get; init; }

    /// <summary>The recipient, or null to create a contract.</summary>
    public EthAddress? To { get; init; }

    public BigInteger Value { get; init; }

    public byte[] Data { get; init; } = [];

    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    public byte[] GetSigningHash() => Keccak256.Hash(Envelope(Rlp.EncodeList(Fields())));

    public SignedTransaction Sign(EthKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.Sign(GetSigningHash());
        var fields = Fields();
        var raw = Envelope(Rlp.EncodeList([
            .. fields,
            Rlp.EncodeUInt((ulong)signature.YParity),
            Rlp.EncodeUInt(new BigInteger(signature.R, isUnsigned: true, isBigEndian: true)),
            Rlp.EncodeUInt(new BigInteger(signature.S, isUnsigned: true, isBigEndian: true)),
        ]));
        return new SignedTransaction(TypeByte, raw, key.Address, Nonce, ChainId, signature);
    }

    private byte[][] Fields() =>
    [
        Rlp.EncodeUInt((ulong)ChainId),
        Rlp.EncodeUInt(Nonce),
        Rlp.EncodeUInt(MaxPriorityFeePerGas),
        Rlp.EncodeUInt(MaxFeePerGas),
        Rlp.EncodeUInt(GasLimit),
        To is { } to ? Rlp.EncodeBytes(to.ToBytes()) : Rlp.EncodeBytes([]),
        Rlp.EncodeUInt(Value),
        Rlp.EncodeBytes(Data),
        EncodeAccessList(AccessList),
    ];

    internal static byte[] EncodeAccessList(IReadOnlyList<AccessListEntry> list) =>
        Rlp.EncodeList(list
            .Select(e => Rlp.EncodeList(
                Rlp.EncodeBytes(e.Address.ToBytes()),
                Rlp.EncodeList(e.StorageKeys.Select(k => Rlp.EncodeBytes(k)).ToArray())))
            .ToArray());

    private static byte[] Envelope(byte[] payload)
    {
        var raw = new byte[payload.Length + 1];
        raw[0] = TypeByte;
        payload.CopyTo(raw, 1);
        return raw;
    }
}
