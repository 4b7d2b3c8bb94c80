using System.Security.Cryptography;
using EhrShare.Core.Records.Encryption;
using EhrShare.Infrastructure.Ipfs;
using static EhrShare.Infrastructure.Tests.Ipfs.IpfsTestFiles;

namespace EhrShare.Infrastructure.Tests.Ipfs;

/// <summary>The record path end to end: plaintext → encryptor → add → cat → decryptor, all streamed.</summary>
[Collection(DevNodeCollection.Name)]
public class EncryptedRecordThroughIpfsTests(DevNodeFixture fixture)
{
    private KuboRpcClient Ipfs => fixture.Client;

    [Theory]
    [InlineData(1)]
    [InlineData(1024 * 1024)]
    [InlineData(50 * 1024 * 1024)]
    public async Task ARecord_EncryptedIntoIpfsAndReadBack_IsTheSameBytes_UnderTheCidOfItsCiphertext(int length)
    {
        var key = RecordCipher.GenerateKey();
        IpfsAddResult added;
        ExpectedPlaintext recorded;
        await using (var encryptor = new RecordEncryptingStream(new GeneratedStream(length, seed: length), key))
        {
            added = await Ipfs.AddAsync(encryptor, "record");
            recorded = new ExpectedPlaintext(encryptor.PlaintextLength, encryptor.PlaintextSha256);
        }

        // Read back and decrypt, checking the recorded hash and length on the way.
        await using (var decryptor = new RecordDecryptingStream(await Ipfs.CatAsync(added.Cid), key, recorded))
        {
            var (sha256, readLength) = await HashAsync(decryptor);
            Assert.Equal(length, readLength);
            await using var original = new GeneratedStream(length, seed: length);
            Assert.Equal(await SHA256.HashDataAsync(original), sha256);
        }

        // The CID is the standard one of the ciphertext, as an independent implementation computes it.
        var file = TempFile();
        try
        {
            await using (var cat = await Ipfs.CatAsync(added.Cid))
            await using (var output = File.Create(file))
            {
                await cat.CopyToAsync(output);
            }

            Assert.Equal(RecordCipher.GetCiphertextLength(length), new FileInfo(file).Length);
            Assert.Equal(await IpfsCidAsync(file), added.Cid);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ARecordAlteredInIpfs_IsRejectedWhenRead()
    {
        var key = RecordCipher.GenerateKey();
        var ciphertext = new MemoryStream();
        await using (var encryptor = new RecordEncryptingStream(new MemoryStream(RandomBytes(200_000)), key))
        {
            await encryptor.CopyToAsync(ciphertext);
        }

        var altered = ciphertext.ToArray();
        altered[100_000] ^= 0x80;
        var added = await Ipfs.AddAsync(new MemoryStream(altered), "record");

        await using var decryptor = new RecordDecryptingStream(await Ipfs.CatAsync(added.Cid), key);
        var error = await Assert.ThrowsAsync<RecordIntegrityException>(() => decryptor.CopyToAsync(Stream.Null));

        Assert.Equal(RecordIntegrityFailure.AuthenticationFailed, error.Failure);
    }
}
