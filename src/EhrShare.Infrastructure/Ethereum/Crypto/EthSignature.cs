using EhrShare.Infrastructure.Ethereum.Encoding;

namespace EhrShare.Infrastructure.Ethereum.Crypto;

/// <summary>
/// A secp256k1 ECDSA signature with its recovery id (y parity of R; 0 or 1 for every signature this code makes, since
/// r ≥ n has probability ~2^-128). <see cref="R"/> and <see cref="S"/> are 32-byte big-endian.
/// </summary>
public sealed class EthSignature
{
    public EthSignature(byte[] r, byte[] s, int recoveryId)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(s);
        if (recoveryId is < 0 or > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(recoveryId), "A recovery id is 0 to 3.");
        }

        R = PadTo32(r, nameof(r));
        S = PadTo32(s, nameof(s));
        RecoveryId = recoveryId;
    }

    public byte[] R { get; }

    public byte[] S { get; }

    public int RecoveryId { get; }

    /// <summary>The y parity (0 or 1) as typed transactions carry it.</summary>
    public int YParity => RecoveryId & 1;

    /// <summary>65 bytes r‖s‖v with v = 27 + recovery id (the <c>eth_sign</c> layout).</summary>
    public byte[] ToBytes65()
    {
        var bytes = new byte[65];
        R.CopyTo(bytes, 0);
        S.CopyTo(bytes, 32);
        bytes[64] = (byte)(27 + RecoveryId);
        return bytes;
    }

    public override string ToString() => Hex.Encode(ToBytes65());

    private static byte[] PadTo32(byte[] value, string name)
    {
        var start = 0;
        while (start < value.Length && value[start] == 0)
        {
            start++;
        }

        if (value.Length - start > 32)
        {
            throw new ArgumentException("A signature component is at most 32 bytes.", name);
        }

        var padded = new byte[32];
        value.AsSpan(start).CopyTo(padded.AsSpan(32 - (value.Length - start)));
        return padded;
    }
}
