using System.Numerics;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;

namespace EhrShare.Infrastructure.Ethereum.Transactions;

/// <summary>A signed transaction ready for <c>eth_sendRawTransaction</c>; its hash is Keccak-256 of the raw bytes.</summary>
public sealed class SignedTransaction(byte type, byte[] raw, EthAddress from, ulong nonce, long? chainId, EthSignature signature)
{
    /// <summary>0 for legacy, 2 for EIP-1559.</summary>
    public byte Type { get; } = type;

    public byte[] Raw { get; } = raw;

    public byte[] Hash { get; } = Keccak256.Hash(raw);

    public EthAddress From { get; } = from;

    public ulong Nonce { get; } = nonce;

    public long? ChainId { get; } = chainId;

    public EthSignature Signature { get; } = signature;

    public string HashHex => Hex.Encode(Hash);
}

/// <summary>A transaction read from its raw bytes, with the sender recovered from the signature.</summary>
public sealed record DecodedTransaction
{
    public required byte Type { get; init; }

    public long? ChainId { get; init; }

    public required ulong Nonce { get; init; }

    /// <summary>Legacy gas price; for type 2, the max fee per gas.</summary>
    public required BigInteger GasPrice { get; init; }

    public BigInteger? MaxPriorityFeePerGas { get; init; }

    public required ulong GasLimit { get; init; }

    public EthAddress? To { get; init; }

    public required BigInteger Value { get; init; }

    public required byte[] Data { get; init; }

    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    public required EthSignature Signature { get; init; }

    public required byte[] SigningHash { get; init; }

    public required EthAddress From { get; init; }

    public required byte[] Hash { get; init; }
}

/// <summary>Reads raw signed transactions: legacy (with or without EIP-155) and EIP-1559 type 2.</summary>
public static class TransactionDecoder
{
    public static DecodedTransaction Decode(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty)
        {
            throw new FormatException("Empty transaction.");
        }

        if (raw[0] >= 0xc0)
        {
            return DecodeLegacy(raw);
        }

        return raw[0] == Eip1559Transaction.TypeByte
            ? DecodeEip1559(raw)
            : throw new FormatException($"Unsupported transaction type 0x{raw[0]:x2}.");
    }

    private static DecodedTransaction DecodeLegacy(ReadOnlySpan<byte> raw)
    {
        var f = Rlp.Decode(raw).Items;
        if (f.Count != 9)
        {
            throw new FormatException($"A legacy transaction has 9 fields, not {f.Count}.");
        }

        var v = f[6].ToUInt64();
        long? chainId;
        int recoveryId;
        if (v is 27 or 28)
        {
            chainId = null;
            recoveryId = (int)(v - 27);
        }
        else if (v >= 35)
        {
            chainId = (long)((v - 35) / 2);
            recoveryId = (int)((v - 35) % 2);
        }
        else
        {
            throw new FormatException($"Legacy transaction with invalid v = {v}.");
        }

        var tx = new LegacyTransaction
        {
            Nonce = f[0].ToUInt64(),
            GasPrice = f[1].ToBigInteger(),
            GasLimit = f[2].ToUInt64(),
            To = ToAddress(f[3]),
            Value = f[4].ToBigInteger(),
            Data = f[5].Bytes,
            ChainId = chainId,
        };
        var signature = new EthSignature(f[7].Bytes, f[8].Bytes, recoveryId);
        var hash = tx.GetSigningHash();
        return new DecodedTransaction
        {
            Type = 0,
            ChainId = chainId,
            Nonce = tx.Nonce,
            GasPrice = tx.GasPrice,
            GasLimit = tx.GasLimit,
            To = tx.To,
            Value = tx.Value,
            Data = tx.Data,
            Signature = signature,
            SigningHash = hash,
            From = EthKey.RecoverAddress(hash, signature),
            Hash = Keccak256.Hash(raw),
        };
    }

    private static DecodedTransaction DecodeEip1559(ReadOnlySpan<byte> raw)
    {
        var f = Rlp.Decode(raw[1..]).Items;
        if (f.Count != 12)
        {
            throw new FormatException($"An EIP-1559 transaction has 12 fields, not {f.Count}.");
        }

        var yParity = f[9].ToUInt64();
        if (yParity > 1)
        {
            throw new FormatException($"EIP-1559 transaction with y parity {yParity}.");
        }

        var tx = new Eip1559Transaction
        {
            ChainId = (long)f[0].ToUInt64(),
            Nonce = f[1].ToUInt64(),
            MaxPriorityFeePerGas = f[2].ToBigInteger(),
            MaxFeePerGas = f[3].ToBigInteger(),
            GasLimit = f[4].ToUInt64(),
            To = ToAddress(f[5]),
            Value = f[6].ToBigInteger(),
            Data = f[7].Bytes,
            AccessList = f[8].Items
                .Select(e => new AccessListEntry(
                    EthAddress.FromBytes(e.Items[0].Bytes),
                    e.Items[1].Items.Select(k => k.Bytes).ToArray()))
                .ToArray(),
        };
        var signature = new EthSignature(f[10].Bytes, f[11].Bytes, (int)yParity);
        var hash = tx.GetSigningHash();
        return new DecodedTransaction
        {
            Type = Eip1559Transaction.TypeByte,
            ChainId = tx.ChainId,
            Nonce = tx.Nonce,
            GasPrice = tx.MaxFeePerGas,
            MaxPriorityFeePerGas = tx.MaxPriorityFeePerGas,
            GasLimit = tx.GasLimit,
            To = tx.To,
            Value = tx.Value,
            Data = tx.Data,
            AccessList = tx.AccessList,
            Signature = signature,
            SigningHash = hash,
            From = EthKey.RecoverAddress(hash, signature),
            Hash = Keccak256.Hash(raw),
        };
    }

    private static EthAddress? ToAddress(RlpItem item) =>
        item.Bytes.Length switch
        {
            0 => null,
            20 => EthAddress.FromBytes(item.Bytes),
            var n => throw new FormatException($"A recipient is 20 bytes or empty, not {n}."),
        };
}
