using System.Security.Cryptography;
using EhrShare.Core.Records.Encryption;
using static EhrShare.Core.Tests.Records.Encryption.RecordTestData;

namespace EhrShare.Core.Tests.Records.Encryption;

public class RecordRoundTripTests
{
    private readonly byte[] _key = RecordCipher.GenerateKey();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Segment - 1)]
    [InlineData(Segment)]
    [InlineData(Segment + 1)]
    [InlineData(2 * Segment)]
    [InlineData(1024 * 1024)]
    public void EncryptThenDecrypt_RestoresThePlaintext(int length)
    {
        var plaintext = Plaintext(length);

        var ciphertext = Encrypt(plaintext, _key);

        Assert.Equal(RecordCipher.GetCiphertextLength(length), ciphertext.Length);
        Assert.Equal(plaintext, Decrypt(ciphertext, _key));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(Segment - 1, 1)]
    [InlineData(Segment, 1)]
    [InlineData(Segment + 1, 2)]
    [InlineData(2 * Segment, 2)]
    public void Ciphertext_HasOneTaggedSegmentPerStartedSegmentOfPlaintext(int length, int segments)
    {
        Assert.Equal(Header + length + (16 * segments), RecordCipher.GetCiphertextLength(length));
    }

    [Fact]
    public void Ciphertext_StartsWithTheDocumentedHeader()
    {
        var ciphertext = Encrypt(Plaintext(10), _key);

        Assert.Equal("EHRC"u8.ToArray(), ciphertext[..4]);
        Assert.Equal(1, ciphertext[4]);
        Assert.Equal(new byte[] { 0, 1, 0, 0 }, ciphertext[5..9]);
    }

    [Fact]
    public void EncryptingTheSamePlaintextTwice_GivesDifferentCiphertexts()
    {
        var plaintext = Plaintext(1000);

        Assert.NotEqual(Encrypt(plaintext, _key), Encrypt(plaintext, _key));
    }

    [Fact]
    public void BothStreams_ExposeThePlaintextHashAndLengthOnceRead()
    {
        var plaintext = Plaintext((3 * Segment) + 123);
        using var encryptor = new RecordEncryptingStream(new MemoryStream(plaintext), _key);
        Assert.Throws<InvalidOperationException>(() => encryptor.PlaintextSha256);
        Assert.False(encryptor.IsComplete);

        using var ciphertext = new MemoryStream();
        encryptor.CopyTo(ciphertext);
        ciphertext.Position = 0;
        using var decryptor = new RecordDecryptingStream(ciphertext, _key);
        Assert.Throws<InvalidOperationException>(() => decryptor.PlaintextSha256);
        decryptor.CopyTo(Stream.Null);

        Assert.True(encryptor.IsComplete);
        Assert.True(decryptor.IsComplete);
        Assert.Equal(SHA256.HashData(plaintext), encryptor.PlaintextSha256);
        Assert.Equal(SHA256.HashData(plaintext), decryptor.PlaintextSha256);
        Assert.Equal(plaintext.Length, encryptor.PlaintextLength);
        Assert.Equal(plaintext.Length, decryptor.PlaintextLength);
    }

    [Fact]
    public void Decrypt_WithTheRecordedHashAndLength_Succeeds()
    {
        var plaintext = Plaintext(Segment + 5);
        var expected = new ExpectedPlaintext(plaintext.Length, SHA256.HashData(plaintext));

        var (released, error) = DecryptCollecting(Encrypt(plaintext, _key), _key, expected);

        Assert.Null(error);
        Assert.Equal(plaintext, released);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4093)]
    [InlineData(Segment + 7)]
    public void Streams_ReadInOddChunkSizesFromTricklingSources_RoundTrip(int chunk)
    {
        var plaintext = Plaintext((2 * Segment) + 999, seed: chunk);
        using var encryptor = new RecordEncryptingStream(new TrickleStream(new MemoryStream(plaintext), 1000), _key);
        using var decryptor = new RecordDecryptingStream(new TrickleStream(encryptor, 777), _key);

        var output = new MemoryStream();
        var buffer = new byte[chunk];
        int n;
        while ((n = decryptor.Read(buffer, 0, chunk)) > 0)
        {
            output.Write(buffer, 0, n);
        }

        Assert.Equal(plaintext, output.ToArray());
    }

    [Fact]
    public async Task Streams_ReadAsynchronously_RoundTrip()
    {
        var plaintext = Plaintext((5 * Segment) + 17);
        await using var encryptor = new RecordEncryptingStream(new TrickleStream(new MemoryStream(plaintext), 5000), _key);
        await using var decryptor = new RecordDecryptingStream(encryptor, _key);
        var output = new MemoryStream();

        await decryptor.CopyToAsync(output, 3001);

        Assert.Equal(plaintext, output.ToArray());
        Assert.Equal(SHA256.HashData(plaintext), decryptor.PlaintextSha256);
    }

    [Fact]
    public void FiftyMebibytes_StreamThroughEncryptionAndDecryptionInBoundedMemory()
    {
        const long length = 50L * 1024 * 1024;
        using var source = new PatternStream(length);
        using var encryptor = new RecordEncryptingStream(source, _key);
        using var decryptor = new RecordDecryptingStream(encryptor, _key);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long position = 0;
        var mismatches = 0;

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        int n;
        while ((n = decryptor.Read(buffer)) > 0)
        {
            for (var i = 0; i < n; i++)
            {
                mismatches += buffer[i] == PatternStream.ByteAt(position + i) ? 0 : 1;
            }

            hash.AppendData(buffer.AsSpan(0, n));
            position += n;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Equal(length, position);
        Assert.Equal(0, mismatches);
        Assert.Equal(hash.GetHashAndReset(), decryptor.PlaintextSha256);
        Assert.Equal(encryptor.PlaintextSha256, decryptor.PlaintextSha256);
        // 50 MiB went through; the streams allocated no more than a few pooled segment buffers.
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes while streaming 50 MiB");
    }

    [Fact]
    public void SmallerSegmentSize_IsRecordedInTheHeaderAndHonouredByTheReader()
    {
        var plaintext = Plaintext(10_000);
        using var encryptor = new RecordEncryptingStream(new MemoryStream(plaintext), _key, segmentSize: 1024);
        using var ciphertext = new MemoryStream();
        encryptor.CopyTo(ciphertext);

        Assert.Equal(RecordCipher.GetCiphertextLength(plaintext.Length, 1024), ciphertext.Length);
        Assert.Equal(new byte[] { 0, 0, 4, 0 }, ciphertext.ToArray()[5..9]);
        Assert.Equal(plaintext, Decrypt(ciphertext.ToArray(), _key));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    public void Streams_RejectKeysThatAreNot32Bytes(int keyLength)
    {
        Assert.Throws<ArgumentException>(() => new RecordEncryptingStream(Stream.Null, new byte[keyLength]));
        Assert.Throws<ArgumentException>(() => new RecordDecryptingStream(Stream.Null, new byte[keyLength]));
    }

    [Fact]
    public void GenerateKey_GivesFresh32ByteKeys()
    {
        var a = RecordCipher.GenerateKey();
        var b = RecordCipher.GenerateKey();

        Assert.Equal(32, a.Length);
        Assert.NotEqual(a, b);
    }
}
