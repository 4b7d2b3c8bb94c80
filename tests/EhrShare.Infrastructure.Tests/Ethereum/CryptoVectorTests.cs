using System.Numerics;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace EhrShare.Infrastructure.Tests.Ethereum;

public class CryptoVectorTests
{
    [Theory]
    [InlineData("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")]
    public void Keccak256_OfKnownInputs_MatchesEthereumKeccakNotSha3(string input, string expected)
    {
        Assert.Equal(expected, Hex.Encode(Keccak256.Hash(input), prefix: false));
        // FIPS 202 SHA3-256("") is a7ffc6f8…: a different padding, and a classic bug.
        Assert.NotEqual("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a", Hex.Encode(Keccak256.Hash(input), prefix: false));
    }

    [Theory]
    [InlineData("transfer(address,uint256)", "a9059cbb")]
    [InlineData("baz(uint32,bool)", "cdcd77c0")]
    [InlineData("Error(string)", "08c379a0")]
    [InlineData("Panic(uint256)", "4e487b71")]
    public void FunctionSelector_IsFirstFourBytesOfKeccakOfSignature(string signature, string selector) =>
        Assert.Equal(selector, Hex.Encode(Keccak256.Hash(signature).AsSpan(0, 4), prefix: false));

    [Fact]
    public void EventTopic_OfErc20Transfer_IsKnownHash() =>
        Assert.Equal(
            "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
            Hex.Encode(Keccak256.Hash("Transfer(address,address,uint256)")));

    [Theory]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000001", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000002", "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF")]
    [InlineData("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")]
    [InlineData("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")]
    [InlineData("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC")]
    [InlineData("0x4646464646464646464646464646464646464646464646464646464646464646", "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")]
    public void KnownPrivateKey_GivesKnownChecksummedAddress(string privateKey, string address)
    {
        var key = EthKey.FromPrivateKey(privateKey);
        Assert.Equal(address, key.Address.ToString());
        Assert.Equal(privateKey, key.ExportPrivateKeyHex());
    }

    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7")]
    [InlineData("0x8617E340B3D01FA5F11F306F4090FD50E238070D")]
    [InlineData("0xde709f2102306220921060314715629080e2fb77")]
    [InlineData("0x27b1fdb04752bbc536007a920d24acb045561c26")]
    public void Eip55Examples_RoundTripToTheirChecksumForm(string example)
    {
        var address = EthAddress.Parse(example);
        var digits = example[2..];
        if (digits.Any(char.IsAsciiLetterUpper) && digits.Any(char.IsAsciiLetterLower))
        {
            Assert.Equal(example, address.ToString());
        }

        Assert.Equal(address, EthAddress.Parse(address.ToString()));
        Assert.Equal(example.ToLowerInvariant(), address.ToLowerHex());
    }

    [Fact]
    public void EthAddress_WithWrongMixedCaseChecksum_IsRejected()
    {
        var ex = Assert.Throws<FormatException>(() => EthAddress.Parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
        Assert.Contains("checksum", ex.Message, StringComparison.Ordinal);
        Assert.False(EthAddress.TryParse("0x1234", out _));
    }

    [Fact]
    public void Sign_ThenRecover_GivesTheSignerAndLowS_ForManyRandomKeys()
    {
        var curve = CustomNamedCurves.GetByName("secp256k1");
        var halfN = new BigInteger(curve.N.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true) / 2;
        for (var i = 0; i < 40; i++)
        {
            var key = EthKey.Generate();
            var hash = Keccak256.Hash($"message {i}");
            var signature = key.Sign(hash);

            Assert.Equal(key.Address, EthKey.RecoverAddress(hash, signature));
            Assert.True(new BigInteger(signature.S, isUnsigned: true, isBigEndian: true) <= halfN, "s must be low (EIP-2)");
            Assert.True(VerifiesWithBouncyCastle(curve, key, hash, signature), "BouncyCastle's own verifier accepts it");
            Assert.Equal(Hex.Encode(signature.R), Hex.Encode(key.Sign(hash).R)); // deterministic (RFC 6979)
        }
    }

    [Fact]
    public void Sign_WithRfc6979_MatchesBouncyCastlesDeterministicSigner()
    {
        // Same nonce derivation (HMAC-SHA256, RFC 6979) → same r; s equal up to low-s normalisation.
        var curve = CustomNamedCurves.GetByName("secp256k1");
        var domain = new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
        var key = EthKey.FromPrivateKey("0x4646464646464646464646464646464646464646464646464646464646464646");
        var hash = Keccak256.Hash("rfc6979");
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Org.BouncyCastle.Crypto.Digests.Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(new Org.BouncyCastle.Math.BigInteger(1, key.ExportPrivateKey()), domain));
        var rs = signer.GenerateSignature(hash);
        var ours = key.Sign(hash);

        Assert.Equal(Hex.Encode(rs[0].ToByteArrayUnsigned()), Hex.Encode(ours.R.AsSpan().TrimStart((byte)0)));
        var s = rs[1];
        var lowS = s.CompareTo(curve.N.ShiftRight(1)) > 0 ? curve.N.Subtract(s) : s;
        Assert.Equal(Hex.Encode(lowS.ToByteArrayUnsigned()), Hex.Encode(ours.S.AsSpan().TrimStart((byte)0)));
    }

    [Fact]
    public void EthKey_ToString_NeverShowsThePrivateKey()
    {
        var key = EthKey.FromPrivateKey("0x4646464646464646464646464646464646464646464646464646464646464646");
        Assert.DoesNotContain("4646464646", key.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EthKey_OutOfRangePrivateKey_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => EthKey.FromPrivateKey(new byte[32]));
        Assert.Throws<ArgumentException>(() =>
            EthKey.FromPrivateKey("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"));
        Assert.Throws<FormatException>(() => EthKey.FromPrivateKey("0x1234"));
    }

    private static bool VerifiesWithBouncyCastle(X9ECParameters curve, EthKey key, byte[] hash, EthSignature signature)
    {
        var domain = new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
        var q = curve.Curve.DecodePoint([0x04, .. key.PublicKey]);
        var verifier = new ECDsaSigner();
        verifier.Init(false, new ECPublicKeyParameters(q, domain));
        return verifier.VerifySignature(hash, new Org.BouncyCastle.Math.BigInteger(1, signature.R), new Org.BouncyCastle.Math.BigInteger(1, signature.S));
    }
}
