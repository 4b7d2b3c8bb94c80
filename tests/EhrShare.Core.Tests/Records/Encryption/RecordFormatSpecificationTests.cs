using System.Buffers.Binary;
using System.Security.Cryptography;
using EhrShare.Core.Records.Encryption;
using static EhrShare.Core.Tests.Records.Encryption.RecordTestData;

namespace EhrShare.Core.Tests.Records.Encryption;

/// <summary>
/// Decrypts records by following docs/record-format.md alone, with AesGcm and no code of the record streams, so the
/// document and the code cannot drift apart.
/// </summary>
public class RecordFormatSpecificationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Segment)]
    [InlineData((2 * Segment) + 500)]
    public void ARecord_DecryptsByTheDocumentedFormat(int length)
    {
        var key = RecordCipher.GenerateKey();
        var plaintext = Plaintext(length);

        Assert.Equal(plaintext, DecryptAsDocumented(Encrypt(plaintext, key), key));
    }

    [Fact]
    public void ADocumentedRecordBuiltByHand_DecryptsWithTheDecryptingStream()
    {
        var key = RecordCipher.GenerateKey();
        var plaintext = Plaintext(Segment + 3);
        var header = new byte[16];
        "EHRC"u8.CopyTo(header);
        header[4] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(5), Segment);
        RandomNumberGenerator.Fill(header.AsSpan(9, 7));
        using var aes = new AesGcm(key, 16);
        var record = new MemoryStream();
        record.Write(header);
        for (uint i = 0; i < 2; i++)
        {
            var part = plaintext.AsSpan((int)i * Segment, i == 0 ? Segment : 3);
            var output = new byte[part.Length + 16];
            aes.Encrypt(Nonce(header, i, isFinal: i == 1), part, output.AsSpan(0, part.Length), output.AsSpan(part.Length), header);
            record.Write(output);
        }

        Assert.Equal(plaintext, Decrypt(record.ToArray(), key));
    }

    private static byte[] DecryptAsDocumented(byte[] record, byte[] key)
    {
        var header = record[..16];
        Assert.Equal("EHRC"u8.ToArray(), header[..4]);
        Assert.Equal(1, header[4]);
        var segmentSize = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5));
        using var aes = new AesGcm(key, 16);
        var plaintext = new MemoryStream();
        var offset = 16;
        for (uint index = 0; ; index++)
        {
            var take = Math.Min(segmentSize + 16, record.Length - offset);
            var isFinal = offset + take == record.Length;
            var segment = record.AsSpan(offset, take);
            var output = new byte[take - 16];
            aes.Decrypt(Nonce(header, index, isFinal), segment[..^16], segment[^16..], output, header);
            plaintext.Write(output);
            offset += take;
            if (isFinal)
            {
                return plaintext.ToArray();
            }
        }
    }

    private static byte[] Nonce(byte[] header, uint index, bool isFinal)
    {
        var nonce = new byte[12];
        header.AsSpan(9, 7).CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce.AsSpan(7), index);
        nonce[11] = isFinal ? (byte)1 : (byte)0;
        return nonce;
    }
}
