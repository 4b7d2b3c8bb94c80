using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EhrShare.Sharing;

/// <summary>Where the engines write the payloads of several shares: one buffer back to back, or one array each.</summary>
internal readonly ref struct PayloadTargets
{
    private readonly Span<byte> _contiguous;
    private readonly int _length;
    private readonly byte[][]? _arrays;

    public PayloadTargets(Span<byte> contiguous, int payloadLength)
    {
        _contiguous = contiguous;
        _length = payloadLength;
        _arrays = null;
    }

    public PayloadTargets(byte[][] arrays)
    {
        _contiguous = default;
        _length = 0;
        _arrays = arrays;
    }

    public Span<byte> this[int index] => _arrays is null ? _contiguous.Slice(index * _length, _length) : _arrays[index];

    /// <summary>The first byte of payload <paramref name="index"/>, unchecked: validate with the indexer first.</summary>
    public ref byte UncheckedReference(int index) => ref _arrays is null
        ? ref Unsafe.Add(ref MemoryMarshal.GetReference(_contiguous), (nint)index * _length)
        : ref MemoryMarshal.GetArrayDataReference(_arrays[index]);
}
