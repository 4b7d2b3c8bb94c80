using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using EhrShare.Sharing;

namespace EhrShare.Benchmarks.Sharing;

/// <summary>
/// Split and Combine of one secret, GF(2^8), against the textbook scalar baseline (Ratio column, per category and
/// parameters). Compare with <see cref="SharingAesGcmYardstick"/> at the same Size.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SharingBenchmarkConfig))]
public class SharingBenchmarks
{
    private readonly Guid _recordId = Guid.NewGuid();
    private byte[] _secret = [];
    private byte[] _payloads = [];
    private byte[] _scratch = [];
    private byte[] _destination = [];
    private Share[] _shares = [];
    private byte[] _xs = [];
    private byte[][] _scalarPayloads = [];
    private int _n;
    private int _k;

    [Params(64, 1024, 65536, 1048576)]
    public int Size { get; set; }

    [Params("n5k3", "n10k7")]
    public string Shape { get; set; } = "n5k3";

    [GlobalSetup]
    public void Setup()
    {
        (_n, _k) = Shape == "n5k3" ? (5, 3) : (10, 7);
        _secret = RandomNumberGenerator.GetBytes(Size);
        _payloads = new byte[_n * Size];
        _scratch = new byte[(_k - 1) * Size];
        _destination = new byte[Size];
        _shares = Shamir.Split(_recordId, _secret, _n, _k)[.._k];
        _xs = _shares.Select(s => s.X).ToArray();
        _scalarPayloads = _shares.Select(s => s.Payload.ToArray()).ToArray();
    }

    [Benchmark(Baseline = true, Description = "Textbook split")]
    [BenchmarkCategory("Split")]
    public void TextbookSplit() => TextbookShamir.Split(_secret, _n, _k, _scratch, _payloads);

    [Benchmark(Description = "Split (span)")]
    [BenchmarkCategory("Split")]
    public void Split() => Shamir.Split(_secret, _n, _k, _payloads);

    [Benchmark(Description = "Split (Share[])")]
    [BenchmarkCategory("Split")]
    public Share[] SplitToShares() => Shamir.Split(_recordId, _secret, _n, _k);

    [Benchmark(Baseline = true, Description = "Textbook combine")]
    [BenchmarkCategory("Combine")]
    public void TextbookCombine() => TextbookShamir.Combine(_xs, _scalarPayloads, _destination);

    [Benchmark(Description = "Combine (span)")]
    [BenchmarkCategory("Combine")]
    public int Combine() => Shamir.Combine(_shares, _destination);
}

/// <summary>The yardstick: .NET AES-256-GCM encryption of the same sizes.</summary>
[MemoryDiagnoser]
[Config(typeof(SharingBenchmarkConfig))]
public class SharingAesGcmYardstick : IDisposable
{
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _tag = new byte[16];
    private AesGcm? _aes;
    private byte[] _plaintext = [];
    private byte[] _ciphertext = [];

    [Params(64, 1024, 65536, 1048576)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _aes = new AesGcm(RandomNumberGenerator.GetBytes(32), _tag.Length);
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _ciphertext = new byte[Size];
    }

    [Benchmark(Description = "AES-256-GCM encrypt")]
    [BenchmarkCategory("AesGcm")]
    public void Encrypt() => _aes!.Encrypt(_nonce, _plaintext, _ciphertext, _tag);

    [GlobalCleanup]
    public void Dispose()
    {
        _aes?.Dispose();
        GC.SuppressFinalize(this);
    }
}
