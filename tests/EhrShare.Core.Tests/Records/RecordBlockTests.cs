using System.Security.Cryptography;
using EhrShare.Core.Records;

namespace EhrShare.Core.Tests.Records;

public sealed class RecordBlockTests
{
    private static RecordBlock Sample(byte[]? previous = null) => new()
    {
        RecordId = Guid.Parse("01937a2c-5b1e-7c3d-8e4f-a0b1c2d3e4f5"),
        PatientAccount = Convert.FromHexString("f39fd6e51aad88f6f4ce6ab8827279cfffb92266"),
        Aid = 3,
        Pid = 127,
        Cid = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN",
        Key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
        PlaintextSha256 = SHA256.HashData("hello\n"u8),
        Size = 6,
        FileName = "blood test – März.pdf",
        ContentType = "application/pdf",
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_123),
        PreviousBlockHash = previous,
    };

    [Fact]
    public void Serialize_ThenParse_GivesTheSameBlock()
    {
        var previous = SHA256.HashData("previous"u8);
        var bytes = Sample(previous).Serialize();

        var parsed = RecordBlock.Parse(bytes);

        Assert.Equal(bytes, parsed.Serialize());
        Assert.Equal("blood test – März.pdf", parsed.FileName);
        Assert.Equal(previous, parsed.PreviousBlockHash);
        Assert.Null(RecordBlock.Parse(Sample().Serialize()).PreviousBlockHash);
    }

    [Fact]
    public void Serialize_FollowsTheDocumentedLayoutByteForByte()
    {
        // Built by hand from docs/record-format.md: the canonical layout must not drift, or the hashes on the chain
        // stop matching the blocks rebuilt from shares.
        var previous = SHA256.HashData("previous"u8);
        var block = Sample(previous);
        static byte[] Str(string s)
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes(s);
            return [(byte)(utf8.Length >> 8), (byte)utf8.Length, .. utf8];
        }

        byte[] expected =
        [
            .. "EHRB"u8, 1,
            .. Convert.FromHexString("01937a2c5b1e7c3d8e4fa0b1c2d3e4f5"),
            .. block.PatientAccount,
            0, 0, 0, 3,
            0, 0, 0, 127,
            .. Str(block.Cid),
            .. block.Key,
            .. block.PlaintextSha256,
            0, 0, 0, 0, 0, 0, 0, 6,
            .. Str(block.FileName),
            .. Str("application/pdf"),
            .. BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(1_795_000_000_123L)),
            1,
            .. previous,
        ];

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(block.Serialize()));
        Assert.Equal(SHA256.HashData(expected), RecordBlock.Hash(block.Serialize()));
    }

    [Fact]
    public void Parse_OfTruncatedBytes_Throws()
    {
        var bytes = Sample().Serialize();
        for (var cut = 0; cut < bytes.Length; cut += 7)
        {
            Assert.Throws<FormatException>(() => RecordBlock.Parse(bytes.AsSpan(0, cut)));
        }
    }

    [Fact]
    public void Parse_WithTrailingBytes_Throws()
    {
        var bytes = Sample().Serialize().Append((byte)0).ToArray();
        Assert.Throws<FormatException>(() => RecordBlock.Parse(bytes));
    }

    [Theory]
    [InlineData(0, (byte)'X', "Not a record block")]
    [InlineData(4, (byte)2, "version 2")]
    public void Parse_OfAnotherFormat_SaysWhy(int offset, byte value, string message)
    {
        var bytes = Sample().Serialize();
        bytes[offset] = value;
        var error = Assert.Throws<FormatException>(() => RecordBlock.Parse(bytes));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WithoutAPreviousHashButNonZeroFiller_Throws()
    {
        var bytes = Sample().Serialize();
        bytes[^1] = 1;
        Assert.Throws<FormatException>(() => RecordBlock.Parse(bytes));
    }

    [Fact]
    public void Serialize_WithAWrongKeyLength_Throws()
    {
        var block = Sample();
        var bad = new RecordBlock
        {
            RecordId = block.RecordId, PatientAccount = block.PatientAccount, Aid = 1, Pid = 1, Cid = block.Cid,
            Key = new byte[16], PlaintextSha256 = block.PlaintextSha256, Size = 1, FileName = "a", ContentType = "b",
            CreatedAt = block.CreatedAt,
        };
        Assert.Throws<FormatException>(() => bad.Serialize());
    }
}
