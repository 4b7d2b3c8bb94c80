using System.Buffers;
using System.Text.Json;
using EhrShare.Infrastructure.Ethereum.Crypto;

namespace EhrShare.Infrastructure.Ethereum.Rpc;

/// <summary>Writes hex JSON strings without intermediate strings: request building stays allocation-light.</summary>
internal static class JsonRpcWriting
{
    public static void WriteHexValue(this Utf8JsonWriter w, ReadOnlySpan<byte> bytes)
    {
        var length = 2 + (bytes.Length * 2);
        char[]? rented = null;
        var chars = length <= 512 ? stackalloc char[length] : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            chars[0] = '0';
            chars[1] = 'x';
            Convert.TryToHexStringLower(bytes, chars[2..], out _);
            w.WriteStringValue(chars[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    public static void WriteHex(this Utf8JsonWriter w, string name, ReadOnlySpan<byte> bytes)
    {
        w.WritePropertyName(name);
        w.WriteHexValue(bytes);
    }

    public static void WriteAddressValue(this Utf8JsonWriter w, EthAddress address)
    {
        Span<byte> bytes = stackalloc byte[EthAddress.Length];
        address.WriteTo(bytes);
        w.WriteHexValue(bytes);
    }

    public static void WriteAddress(this Utf8JsonWriter w, string name, EthAddress address)
    {
        w.WritePropertyName(name);
        w.WriteAddressValue(address);
    }
}

/// <summary>An <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool; return them with Dispose.</summary>
internal sealed class PooledBufferWriter(int initialCapacity = 1024) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    private int _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + sizeHint));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
