using System.Numerics;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;
using EhrShare.Infrastructure.Ethereum.Transactions;

namespace EhrShare.Infrastructure.Tests.Ethereum;

public class TransactionVectorTests
{
    private static readonly EthKey Eip155Key = EthKey.FromPrivateKey("0x4646464646464646464646464646464646464646464646464646464646464646");

    private static LegacyTransaction Eip155Example() => new()
    {
        Nonce = 9,
        GasPrice = 20_000_000_000,
        GasLimit = 21000,
        To = EthAddress.Parse("0x3535353535353535353535353535353535353535"),
        Value = BigInteger.Pow(10, 18),
        ChainId = 1,
    };

    [Fact]
    public void Eip155Example_SigningDataAndHash_MatchTheEip()
    {
        var tx = Eip155Example();
        Assert.Equal(
            "0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080",
            Hex.Encode(tx.EncodeForSigning()));
        Assert.Equal("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53", Hex.Encode(tx.GetSigningHash()));
    }

    [Fact]
    public void Eip155Example_Signature_MatchesTheEipExactly()
    {
        var signed = Eip155Example().Sign(Eip155Key);

        Assert.Equal(
            BigInteger.Parse("18515461264373351373200002665853028612451056578545711640558177340181847433846", System.Globalization.CultureInfo.InvariantCulture),
            new BigInteger(signed.Signature.R, isUnsigned: true, isBigEndian: true));
        Assert.Equal(
            BigInteger.Parse("46948507304638947509940763649030358759909902576025900602547168820602576006531", System.Globalization.CultureInfo.InvariantCulture),
            new BigInteger(signed.Signature.S, isUnsigned: true, isBigEndian: true));
        Assert.Equal(
            "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
            Hex.Encode(signed.Raw));
    }

    [Fact]
    public void Eip155Example_Decoded_HasV37AndRecoversTheSender()
    {
        var decoded = TransactionDecoder.Decode(Hex.Decode(
            "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"));

        Assert.Equal(0, decoded.Type);
        Assert.Equal(1L, decoded.ChainId);
        Assert.Equal(9UL, decoded.Nonce);
        Assert.Equal(BigInteger.Pow(10, 18), decoded.Value);
        Assert.Equal(Eip155Key.Address, decoded.From);
        Assert.Equal(0, decoded.Signature.RecoveryId); // v = 37 = 0 + 1·2 + 35
    }

    [Fact]
    public void Eip1559Transaction_SignedAndDecoded_RoundTripsEveryFieldAndTheSender()
    {
        var key = EthKey.FromPrivateKey("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
        var tx = new Eip1559Transaction
        {
            ChainId = 31337,
            Nonce = 7,
            MaxPriorityFeePerGas = 1_000_000_000,
            MaxFeePerGas = 3_000_000_000,
            GasLimit = 80_000,
            To = EthAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
            Value = 12345,
            Data = Hex.Decode("0x3c8474fc"),
        };
        var signed = tx.Sign(key);
        var decoded = TransactionDecoder.Decode(signed.Raw);

        Assert.Equal(0x02, signed.Raw[0]);
        Assert.Equal(2, decoded.Type);
        Assert.Equal(31337L, decoded.ChainId);
        Assert.Equal(7UL, decoded.Nonce);
        Assert.Equal(new BigInteger(1_000_000_000), decoded.MaxPriorityFeePerGas);
        Assert.Equal(new BigInteger(3_000_000_000), decoded.GasPrice);
        Assert.Equal(80_000UL, decoded.GasLimit);
        Assert.Equal(tx.To, decoded.To);
        Assert.Equal(new BigInteger(12345), decoded.Value);
        Assert.Equal(tx.Data, decoded.Data);
        Assert.Equal(key.Address, decoded.From);
        Assert.Equal(signed.Hash, decoded.Hash);
        Assert.Equal(tx.GetSigningHash(), decoded.SigningHash);
    }

    [Fact]
    public void Eip1559Transaction_ContractCreation_HasEmptyRecipient()
    {
        var signed = new Eip1559Transaction
        {
            ChainId = 1,
            Nonce = 0,
            MaxPriorityFeePerGas = 0,
            MaxFeePerGas = 0,
            GasLimit = 100_000,
            Data = [0x60, 0x00],
        }.Sign(Eip155Key);

        Assert.Null(TransactionDecoder.Decode(signed.Raw).To);
    }
}
