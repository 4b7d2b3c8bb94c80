using EhrShare.Infrastructure.Ethereum.Encoding;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Security;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace EhrShare.Infrastructure.Ethereum.Crypto;

/// <summary>
/// A secp256k1 private key: the signer of an account. Signatures are deterministic (RFC 6979 with HMAC-SHA256),
/// normalised to low s (EIP-2) and carry the recovery id. The private key never appears in <see cref="ToString"/>.
/// </summary>
public sealed class EthKey
{
    private static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    private static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    private static readonly BigInteger HalfN = Curve.N.ShiftRight(1);
    private static readonly FixedPointCombMultiplier Multiplier = new();

    private readonly BigInteger _d;

    private EthKey(BigInteger d)
    {
        if (d.SignValue <= 0 || d.CompareTo(Curve.N) >= 0)
        {
            throw new ArgumentException("A secp256k1 private key is an integer from 1 to n-1.");
        }

        _d = d;
        var q = Multiplier.Multiply(Domain.G, d).Normalize();
        PublicKey = q.GetEncoded(false)[1..];
        Address = EthAddress.FromPublicKey(PublicKey);
    }

    /// <summary>The account address of this key.</summary>
    public EthAddress Address { get; }

    /// <summary>The uncompressed public key without the 0x04 prefix (64 bytes x‖y).</summary>
    public byte[] PublicKey { get; }

    public static EthKey FromPrivateKey(ReadOnlySpan<byte> privateKey) =>
        privateKey.Length == 32
            ? new EthKey(new BigInteger(1, privateKey.ToArray()))
            : throw new ArgumentException("A private key is 32 bytes.", nameof(privateKey));

    /// <summary>From 64 hex digits, with or without <c>0x</c>.</summary>
    public static EthKey FromPrivateKey(string privateKeyHex)
    {
        ArgumentNullException.ThrowIfNull(privateKeyHex);
        if (!Hex.IsHex(privateKeyHex, 32))
        {
            throw new FormatException("A private key is 64 hex digits (32 bytes), optionally prefixed with 0x.");
        }

        return FromPrivateKey(Hex.Decode(privateKeyHex));
    }

    /// <summary>A new random key from a cryptographically secure generator: a new user account.</summary>
    public static EthKey Generate()
    {
        var random = new SecureRandom();
        BigInteger d;
        do
        {
            d = new BigInteger(256, random);
        }
        while (d.SignValue == 0 || d.CompareTo(Curve.N) >= 0);

        return new EthKey(d);
    }

    /// <summary>The 32-byte private key, for storing it encrypted. Handle with care; never log it.</summary>
    public byte[] ExportPrivateKey() => LeftPad(_d.ToByteArrayUnsigned());

    /// <inheritdoc cref="ExportPrivateKey"/>
    public string ExportPrivateKeyHex() => Hex.Encode(ExportPrivateKey());

    /// <summary>Signs a 32-byte message hash (ECDSA, RFC 6979 nonce, low s, with recovery id).</summary>
    public EthSignature Sign(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != 32)
        {
            throw new ArgumentException("Sign a 32-byte hash.", nameof(hash));
        }

        var message = hash.ToArray();
        var n = Curve.N;
        var e = new BigInteger(1, message);
        var k = new HMacDsaKCalculator(new Sha256Digest());
        k.Init(n, _d, message);
        while (true)
        {
            var nonce = k.NextK();
            var point = Multiplier.Multiply(Domain.G, nonce).Normalize();
            var x = point.AffineXCoord.ToBigInteger();
            var r = x.Mod(n);
            if (r.SignValue == 0)
            {
                continue;
            }

            var s = nonce.ModInverse(n).Multiply(e.Add(_d.Multiply(r))).Mod(n);
            if (s.SignValue == 0)
            {
                continue;
            }

            var recoveryId = (point.AffineYCoord.TestBitZero() ? 1 : 0) | (x.CompareTo(n) >= 0 ? 2 : 0);
            if (s.CompareTo(HalfN) > 0)
            {
                // (r, n - s) is the same signature for the point -R, whose y has the other parity.
                s = n.Subtract(s);
                recoveryId ^= 1;
            }

            return new EthSignature(r.ToByteArrayUnsigned(), s.ToByteArrayUnsigned(), recoveryId);
        }
    }

    /// <summary>Recovers the signer's 64-byte public key from a hash and signature (SEC 1 v2, 4.1.6).</summary>
    public static byte[] RecoverPublicKey(ReadOnlySpan<byte> hash, EthSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (hash.Length != 32)
        {
            throw new ArgumentException("Recover from a 32-byte hash.", nameof(hash));
        }

        var n = Curve.N;
        var r = new BigInteger(1, signature.R);
        var s = new BigInteger(1, signature.S);
        if (r.SignValue == 0 || r.CompareTo(n) >= 0 || s.SignValue == 0 || s.CompareTo(n) >= 0)
        {
            throw new FormatException("Signature r and s must be in [1, n-1].");
        }

        var x = r.Add(BigInteger.ValueOf(signature.RecoveryId >> 1).Multiply(n));
        var p = Curve.Curve.Field.Characteristic;
        if (x.CompareTo(p) >= 0)
        {
            throw new FormatException("Signature recovery id does not match r.");
        }

        var compressed = new byte[33];
        compressed[0] = (byte)(0x02 | (signature.RecoveryId & 1));
        var xBytes = x.ToByteArrayUnsigned();
        xBytes.CopyTo(compressed, 33 - xBytes.Length);
        ECPoint bigR;
        try
        {
            bigR = Curve.Curve.DecodePoint(compressed);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException("Signature r is not the x coordinate of a curve point.", ex);
        }

        var e = new BigInteger(1, hash.ToArray());
        var rInv = r.ModInverse(n);
        var u1 = n.Subtract(e).Mod(n).Multiply(rInv).Mod(n);
        var u2 = s.Multiply(rInv).Mod(n);
        var q = ECAlgorithms.SumOfTwoMultiplies(Domain.G, u1, bigR, u2).Normalize();
        if (q.IsInfinity)
        {
            throw new FormatException("Signature recovers to the point at infinity.");
        }

        return q.GetEncoded(false)[1..];
    }

    public static EthAddress RecoverAddress(ReadOnlySpan<byte> hash, EthSignature signature) =>
        EthAddress.FromPublicKey(RecoverPublicKey(hash, signature));

    public override string ToString() => $"EthKey({Address})";

    private static byte[] LeftPad(byte[] value)
    {
        if (value.Length == 32)
        {
            return value;
        }

        var padded = new byte[32];
        value.CopyTo(padded, 32 - value.Length);
        return padded;
    }
}
