using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using EhrShare.Sharing;

namespace EhrShare.Benchmarks.Sharing;

/// <summary>The GF(2^8) kernels on each instruction-set path (64 KiB, degree 2), to see what each path is worth.</summary>
[Config(typeof(SharingBenchmarkConfig))]
public class SharingKernelBenchmarks
{
    private byte[] _constant = [];
    private byte[] _coefficients = [];
    private byte[] _output = [];
    private Gf256Path _path;

    [Params(65536)]
    public int Size { get; set; }

    [Params("Portable", "Ssse3", "Avx2", "Avx512BW", "Gfni128", "Gfni256", "Gfni512")]
    public string Path { get; set; } = "Portable";

    [GlobalSetup]
    public void Setup()
    {
        _path = Enum.Parse<Gf256Path>(Path);
        if (!Gf256Kernels.IsSupported(_path))
        {
            throw new PlatformNotSupportedException($"{Path} is not supported on this machine.");
        }

        _constant = RandomNumberGenerator.GetBytes(Size);
        _coefficients = RandomNumberGenerator.GetBytes(2 * Size);
        _output = new byte[Size];
    }

    [Benchmark(Description = "Evaluate degree 2")]
    public void Evaluate() => Gf256Kernels.Evaluate(_path, 7, _constant, _coefficients, Size, 2, _output);

    [Benchmark(Description = "Multiply-accumulate")]
    public void MultiplyAccumulate() => Gf256Kernels.Multiply(_path, 0x53, _constant, _output, accumulate: true);
}
