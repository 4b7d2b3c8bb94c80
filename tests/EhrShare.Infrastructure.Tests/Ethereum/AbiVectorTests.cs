using System.Numerics;
using EhrShare.Infrastructure.Ethereum.Abi;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>The examples of the Solidity ABI specification ("Examples" and "Use of Dynamic Types").</summary>
public class AbiVectorTests
{
    private static byte[] Ascii(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    private static string Call(string signature, params object?[] args)
    {
        var name = signature[..signature.IndexOf('(', StringComparison.Ordinal)];
        var types = AbiCodec.ParseList(signature[(name.Length + 1)..^1]);
        var selector = Keccak256.Hash(signature)[..4];
        return Hex.Encode([.. selector, .. AbiCodec.Encode(types, args)]);
    }

    [Fact]
    public void Baz_Uint32AndBool_EncodesAsInTheSpec() =>
        Assert.Equal(
            "0xcdcd77c0" +
            "0000000000000000000000000000000000000000000000000000000000000045" +
            "0000000000000000000000000000000000000000000000000000000000000001",
            Call("baz(uint32,bool)", 69u, true));

    [Fact]
    public void Bar_FixedArrayOfBytes3_EncodesAsInTheSpec() =>
        Assert.Equal(
            "0xfce353f6" +
            "6162630000000000000000000000000000000000000000000000000000000000" +
            "6465660000000000000000000000000000000000000000000000000000000000",
            Call("bar(bytes3[2])", (object)new object[] { Ascii("abc"), Ascii("def") }));

    [Fact]
    public void Sam_DynamicBytesBoolAndArray_EncodesAsInTheSpec() =>
        Assert.Equal(
            "0xa5643bf2" +
            "0000000000000000000000000000000000000000000000000000000000000060" +
            "0000000000000000000000000000000000000000000000000000000000000001" +
            "00000000000000000000000000000000000000000000000000000000000000a0" +
            "0000000000000000000000000000000000000000000000000000000000000004" +
            "6461766500000000000000000000000000000000000000000000000000000000" +
            "0000000000000000000000000000000000000000000000000000000000000003" +
            "0000000000000000000000000000000000000000000000000000000000000001" +
            "0000000000000000000000000000000000000000000000000000000000000002" +
            "0000000000000000000000000000000000000000000000000000000000000003",
            Call("sam(bytes,bool,uint256[])", Ascii("dave"), true, new object[] { 1, 2, 3 }));

    [Fact]
    public void F_MixedStaticAndDynamic_EncodesAsInTheSpec() =>
        Assert.Equal(
            "0x8be65246" +
            "0000000000000000000000000000000000000000000000000000000000000123" +
            "0000000000000000000000000000000000000000000000000000000000000080" +
            "3132333435363738393000000000000000000000000000000000000000000000" +
            "00000000000000000000000000000000000000000000000000000000000000e0" +
            "0000000000000000000000000000000000000000000000000000000000000002" +
            "0000000000000000000000000000000000000000000000000000000000000456" +
            "0000000000000000000000000000000000000000000000000000000000000789" +
            "000000000000000000000000000000000000000000000000000000000000000d" +
            "48656c6c6f2c20776f726c642100000000000000000000000000000000000000",
            Call("f(uint256,uint32[],bytes10,bytes)", 0x123, new object[] { 0x456u, 0x789u }, Ascii("1234567890"), Ascii("Hello, world!")));

    private const string GEncoded =
        "0x2289b18c" +
        "0000000000000000000000000000000000000000000000000000000000000040" +
        "0000000000000000000000000000000000000000000000000000000000000140" +
        "0000000000000000000000000000000000000000000000000000000000000002" +
        "0000000000000000000000000000000000000000000000000000000000000040" +
        "00000000000000000000000000000000000000000000000000000000000000a0" +
        "0000000000000000000000000000000000000000000000000000000000000002" +
        "0000000000000000000000000000000000000000000000000000000000000001" +
        "0000000000000000000000000000000000000000000000000000000000000002" +
        "0000000000000000000000000000000000000000000000000000000000000001" +
        "0000000000000000000000000000000000000000000000000000000000000003" +
        "0000000000000000000000000000000000000000000000000000000000000003" +
        "0000000000000000000000000000000000000000000000000000000000000060" +
        "00000000000000000000000000000000000000000000000000000000000000a0" +
        "00000000000000000000000000000000000000000000000000000000000000e0" +
        "0000000000000000000000000000000000000000000000000000000000000003" +
        "6f6e650000000000000000000000000000000000000000000000000000000000" +
        "0000000000000000000000000000000000000000000000000000000000000003" +
        "74776f0000000000000000000000000000000000000000000000000000000000" +
        "0000000000000000000000000000000000000000000000000000000000000005" +
        "7468726565000000000000000000000000000000000000000000000000000000";

    [Fact]
    public void G_NestedDynamicArrays_EncodesAsInTheSpec() =>
        Assert.Equal(
            GEncoded,
            Call("g(uint256[][],string[])",
                new object[] { new object[] { 1, 2 }, new object[] { 3 } },
                new object[] { "one", "two", "three" }));

    [Fact]
    public void G_NestedDynamicArrays_DecodesBackToTheValues()
    {
        var values = AbiCodec.Decode(AbiCodec.ParseList("uint256[][],string[]"), Hex.Decode(GEncoded).AsSpan(4));
        var numbers = (object?[])values[0]!;
        Assert.Equal([BigInteger.One, new BigInteger(2)], ((object?[])numbers[0]!).Cast<BigInteger>());
        Assert.Equal([new BigInteger(3)], ((object?[])numbers[1]!).Cast<BigInteger>());
        Assert.Equal(["one", "two", "three"], ((object?[])values[1]!).Cast<string>());
    }

    [Fact]
    public void AddressesBytes16AndSignedIntegers_RoundTrip()
    {
        var types = AbiCodec.ParseList("address,bytes16,int8,int256,(uint32,bool)");
        var address = EthAddress.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        var id = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var encoded = AbiCodec.Encode(types, address, id, -1, BigInteger.MinusOne << 200, new object?[] { 7u, true });
        var decoded = AbiCodec.Decode(types, encoded);

        Assert.Equal(address, decoded[0]);
        Assert.Equal(id, (byte[])decoded[1]!);
        Assert.Equal(BigInteger.MinusOne, decoded[2]);
        Assert.Equal(BigInteger.MinusOne << 200, decoded[3]);
        Assert.Equal(new object?[] { new BigInteger(7), true }, (object?[])decoded[4]!);
        Assert.Equal("ff", Hex.Encode(encoded.AsSpan(64 + 31, 1), prefix: false)); // int8 -1 is sign-extended
    }

    [Fact]
    public void Encode_ValueOutOfRange_Throws()
    {
        Assert.Throws<AbiException>(() => AbiCodec.Encode("uint8", 256));
        Assert.Throws<AbiException>(() => AbiCodec.Encode("uint32", -1));
        Assert.Throws<AbiException>(() => AbiCodec.Encode("bytes16", new byte[15]));
    }

    [Fact]
    public void Decode_MaliciousOffsetsOrLengths_ThrowsInsteadOfOverreading()
    {
        var huge = Hex.Decode("0x0000000000000000000000000000000000000000000000000000000000000020" +
                              "00000000000000000000000000000000000000000000000000000000ffffffff");
        Assert.Throws<AbiException>(() => AbiCodec.Decode(AbiCodec.ParseList("bytes"), huge));
        Assert.Throws<AbiException>(() => AbiCodec.Decode(AbiCodec.ParseList("uint256[]"), huge));
        Assert.Throws<AbiException>(() => AbiCodec.Decode(AbiCodec.ParseList("uint256"), new byte[31]));
    }

    [Fact]
    public void RevertReason_ErrorStringPanicAndCustomError_AreDecoded()
    {
        var error = RevertReason.Decode(Hex.Decode(
            "0x08c379a0" + Hex.Encode(AbiCodec.Encode("string", "not allowed"), prefix: false)));
        Assert.Equal(RevertKind.Error, error.Kind);
        Assert.Equal("not allowed", error.Message);

        var panic = RevertReason.Decode(Hex.Decode("0x4e487b71" + Hex.Encode(AbiCodec.Encode("uint256", 0x11), prefix: false)));
        Assert.Equal(RevertKind.Panic, panic.Kind);
        Assert.Equal(new BigInteger(0x11), panic.Arguments[0]);

        var abi = ContractAbi.Parse("""[{"type":"error","name":"NotOwner","inputs":[{"name":"caller","type":"address"}]}]""");
        var caller = EthAddress.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        var custom = RevertReason.Decode(
            [.. Keccak256.Hash("NotOwner(address)")[..4], .. AbiCodec.Encode("address", caller)], abi);
        Assert.Equal(RevertKind.Custom, custom.Kind);
        Assert.Equal("NotOwner", custom.Name);
        Assert.Equal($"NotOwner({caller})", custom.Message);

        Assert.Equal(RevertKind.Unknown, RevertReason.Decode([]).Kind);
    }
}
