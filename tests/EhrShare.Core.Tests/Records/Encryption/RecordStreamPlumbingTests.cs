using EhrShare.Core.Records.Encryption;
using static EhrShare.Core.Tests.Records.Encryption.RecordTestData;

namespace EhrShare.Core.Tests.Records.Encryption;

/// <summary>What both record streams do as <see cref="Stream"/>s, apart from the cryptography.</summary>
public class RecordStreamPlumbingTests
{
    private readonly byte[] _key = RecordCipher.GenerateKey();

    public static TheoryData<bool> LeaveOpen => new() { true, false };

    [Theory]
    [MemberData(nameof(LeaveOpen))]
    public async Task Disposing_ClosesTheSource_UnlessAskedToLeaveItOpen(bool leaveOpen)
    {
        var plaintext = new MemoryStream(Plaintext(10));
        var ciphertext = new MemoryStream(Encrypt(Plaintext(10), _key));

        new RecordEncryptingStream(plaintext, _key, leaveOpen).Dispose();
        await new RecordDecryptingStream(ciphertext, _key, leaveOpen: leaveOpen).DisposeAsync();

        Assert.Equal(leaveOpen, plaintext.CanRead);
        Assert.Equal(leaveOpen, ciphertext.CanRead);
    }

    [Fact]
    public async Task ReadingAfterDispose_Throws()
    {
        var encryptor = new RecordEncryptingStream(new MemoryStream(Plaintext(10)), _key);
        encryptor.Dispose();

        Assert.False(encryptor.CanRead);
        Assert.Throws<ObjectDisposedException>(() => encryptor.Read(new byte[8], 0, 8));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => _ = await encryptor.ReadAsync(new byte[8]));
    }

    [Fact]
    public void TheStreams_AreForwardOnlyAndReadOnly()
    {
        using var encryptor = new RecordEncryptingStream(new MemoryStream(Plaintext(10)), _key);

        Assert.False(encryptor.CanSeek);
        Assert.False(encryptor.CanWrite);
        Assert.Throws<NotSupportedException>(() => encryptor.Length);
        Assert.Throws<NotSupportedException>(() => encryptor.Position = 0);
        Assert.Throws<NotSupportedException>(() => encryptor.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => encryptor.Write([1], 0, 1));
    }

    [Fact]
    public void AnUnreadableSource_IsRefusedByName()
    {
        using var writeOnly = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);

        var encrypting = Assert.Throws<ArgumentException>(() => new RecordEncryptingStream(writeOnly, _key));
        var decrypting = Assert.Throws<ArgumentException>(() => new RecordDecryptingStream(writeOnly, _key));

        Assert.Equal("plaintext", encrypting.ParamName);
        Assert.Equal("ciphertext", decrypting.ParamName);
    }

    [Fact]
    public void TheHash_IsKnownOnlyAtTheEnd_AndThenMatchesOnBothSides()
    {
        var plaintext = Plaintext((2 * Segment) + 5);
        using var encryptor = new RecordEncryptingStream(new MemoryStream(plaintext), _key);
        var first = new byte[Header + 10];
        encryptor.ReadExactly(first);

        Assert.False(encryptor.IsComplete);
        Assert.Throws<InvalidOperationException>(() => encryptor.PlaintextSha256);

        using var rest = new MemoryStream();
        encryptor.CopyTo(rest);
        using var decryptor = new RecordDecryptingStream(new MemoryStream([.. first, .. rest.ToArray()]), _key);
        decryptor.CopyTo(Stream.Null);

        Assert.True(encryptor.IsComplete);
        Assert.True(decryptor.IsComplete);
        Assert.Equal(plaintext.Length, encryptor.PlaintextLength);
        Assert.Equal(plaintext.Length, decryptor.PlaintextLength);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(plaintext), encryptor.PlaintextSha256);
        Assert.Equal(encryptor.PlaintextSha256, decryptor.PlaintextSha256);
    }

    [Fact]
    public async Task AFailure_IsThrownAgainByEveryLaterRead()
    {
        var ciphertext = Encrypt(Plaintext(Segment + 1), _key);
        ciphertext[SegmentOffset(0) + 3] ^= 1;
        using var decryptor = new RecordDecryptingStream(new MemoryStream(ciphertext), _key);

        var first = Assert.Throws<RecordIntegrityException>(() => decryptor.Read(new byte[16], 0, 16));
        var again = await Assert.ThrowsAsync<RecordIntegrityException>(async () => _ = await decryptor.ReadAsync(new byte[16]));

        Assert.Equal(RecordIntegrityFailure.AuthenticationFailed, first.Failure);
        Assert.Same(first, again);
        Assert.False(decryptor.IsComplete);
    }
}
