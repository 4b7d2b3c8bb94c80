using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using EhrShare.Core.Records.Encryption;

namespace EhrShare.Benchmarks.Records;

/// <summary>
/// The record streams against the bare primitives they are built on, one-shot over the same bytes: AES-256-GCM
/// alone, and AES-256-GCM plus the plaintext SHA-256 the streams also compute. The ratio to the second is the cost
/// of segmenting and streaming; allocations should stay flat whatever the size.
/// </summary>
[MemoryDiagnoser]
public class RecordCipherBenchmarks
{
    private byte[] _plaintext = [];
    private byte[] _ciphertext = [];
    private byte[] _output = [];
    private readonly byte[] _tag = new byte[16];
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _hash = new byte[32];
    private byte[] _key = [];

    [Params(1024 * 1024, 16 * 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _key = RecordCipher.GenerateKey();
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _output = new byte[Size];
        using var encryptor = new RecordEncryptingStream(new MemoryStream(_plaintext), _key);
        using var ciphertext = new MemoryStream();
        encryptor.CopyTo(ciphertext);
        _ciphertext = ciphertext.ToArray();
    }

    [Benchmark(Baseline = true, Description = "AesGcm one-shot (primitive)")]
    public void AesGcmOneShot()
    {
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(_nonce, _plaintext, _output, _tag);
    }

    [Benchmark(Description = "AesGcm + SHA-256 one-shot (primitives)")]
    public void AesGcmAndSha256OneShot()
    {
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(_nonce, _plaintext, _output, _tag);
        SHA256.HashData(_plaintext, _hash);
    }

    [Benchmark(Description = "RecordEncryptingStream")]
    public void Encrypt()
    {
        using var encryptor = new RecordEncryptingStream(new MemoryStream(_plaintext, writable: false), _key);
        encryptor.CopyTo(Stream.Null);
    }

    [Benchmark(Description = "RecordDecryptingStream")]
    public void Decrypt()
    {
        using var decryptor = new RecordDecryptingStream(new MemoryStream(_ciphertext, writable: false), _key);
        decryptor.CopyTo(Stream.Null);
    }
}
