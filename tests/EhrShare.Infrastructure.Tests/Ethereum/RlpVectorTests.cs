using EhrShare.Infrastructure.Ethereum.Encoding;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>The examples of the RLP specification (yellow paper appendix B and the Ethereum wiki).</summary>
public class RlpVectorTests
{
    private static byte[] B(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    [Fact]
    public void Rlp_SpecExamples_EncodeExactly()
    {
        Assert.Equal("0x83646f67", Hex.Encode(Rlp.EncodeBytes(B("dog"))));
        Assert.Equal("0xc88363617483646f67", Hex.Encode(Rlp.EncodeList(Rlp.EncodeBytes(B("cat")), Rlp.EncodeBytes(B("dog")))));
        Assert.Equal("0x80", Hex.Encode(Rlp.EncodeBytes([])));
        Assert.Equal("0xc0", Hex.Encode(Rlp.EncodeList()));
        Assert.Equal("0x80", Hex.Encode(Rlp.EncodeUInt(0UL)));
        Assert.Equal("0x00", Hex.Encode(Rlp.EncodeBytes([0x00])));
        Assert.Equal("0x0f", Hex.Encode(Rlp.EncodeUInt(15UL)));
        Assert.Equal("0x820400", Hex.Encode(Rlp.EncodeUInt(1024UL)));

        // The set-theoretic representation of three: [ [], [[]], [ [], [[]] ] ]
        var empty = Rlp.EncodeList();
        var one = Rlp.EncodeList(empty);
        var three = Rlp.EncodeList(empty, one, Rlp.EncodeList(empty, one));
        Assert.Equal("0xc7c0c1c0c3c0c1c0", Hex.Encode(three));

        var lorem = B("Lorem ipsum dolor sit amet, consectetur adipisicing elit");
        Assert.Equal("0xb838" + Hex.Encode(lorem, prefix: false), Hex.Encode(Rlp.EncodeBytes(lorem)));
    }

    [Fact]
    public void Rlp_Decode_ReadsWhatEncodeWrote()
    {
        var encoded = Rlp.EncodeList(Rlp.EncodeBytes(B("cat")), Rlp.EncodeList(Rlp.EncodeUInt(1024UL), Rlp.EncodeBytes([])));
        var item = Rlp.Decode(encoded);
        Assert.True(item.IsList);
        Assert.Equal("cat", System.Text.Encoding.ASCII.GetString(item.Items[0].Bytes));
        Assert.Equal(1024UL, item.Items[1].Items[0].ToUInt64());
        Assert.Empty(item.Items[1].Items[1].Bytes);

        var longString = new byte[1000];
        Assert.Equal(longString, Rlp.Decode(Rlp.EncodeBytes(longString)).Bytes);
    }

    [Theory]
    [InlineData("0x8100")] // a single byte < 0x80 must encode itself
    [InlineData("0xb80100")] // long form for a short string
    [InlineData("0x83646f")] // truncated
    [InlineData("0x83646f6700")] // trailing bytes
    [InlineData("0xc883636174")] // list shorter than its header says
    public void Rlp_Decode_RejectsNonCanonicalOrMalformedInput(string hex) =>
        Assert.Throws<FormatException>(() => Rlp.Decode(Hex.Decode(hex)));

    [Fact]
    public void Rlp_Integer_WithLeadingZero_IsRejected() =>
        Assert.Throws<FormatException>(() => Rlp.Decode(Hex.Decode("0x820004")).ToUInt64());
}
