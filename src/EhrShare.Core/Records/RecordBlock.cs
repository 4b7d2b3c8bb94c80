using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace EhrShare.Core.Records;

/// <summary>
/// A record's block: where the record is (its CID) and the key that opens it, with what identifies and checks the
/// record. It is never stored whole: it is split into Shamir shares, and its SHA-256 (the block hash) is anchored on
/// the chain. The serialisation is canonical (one byte string per block), so the hash is well defined; the layout
/// is documented in docs/record-format.md.
/// </summary>
public sealed class RecordBlock
{
    public const byte CurrentVersion = 1;
    private static readonly byte[] Magic = "EHRB"u8.ToArray();
    private const int MaxStringBytes = 1024;

    public required Guid RecordId { get; init; }

    /// <summary>The patient's account, 20 bytes.</summary>
    public required byte[] PatientAccount { get; init; }

    public required uint Aid { get; init; }

    public required uint Pid { get; init; }

    public required string Cid { get; init; }

    /// <summary>The AES-256 record key, 32 bytes. Secret.</summary>
    public required byte[] Key { get; init; }

    public required byte[] PlaintextSha256 { get; init; }

    public required long Size { get; init; }

    public required string FileName { get; init; }

    public required string ContentType { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The block hash of the patient's previous record, or null for the first.</summary>
    public byte[]? PreviousBlockHash { get; init; }

    /// <summary>The canonical bytes: "EHRB", version, then every field in a fixed order, big-endian.</summary>
    public byte[] Serialize()
    {
        Validate();
        var cid = Encoding.UTF8.GetBytes(Cid);
        var name = Encoding.UTF8.GetBytes(FileName);
        var type = Encoding.UTF8.GetBytes(ContentType);
        var length = 4 + 1 + 16 + 20 + 4 + 4 + (2 + cid.Length) + 32 + 32 + 8 + (2 + name.Length) + (2 + type.Length) + 8 + 1 + 32;
        var bytes = new byte[length];
        var w = new Writer(bytes);
        w.Bytes(Magic);
        w.Byte(CurrentVersion);
        w.Guid(RecordId);
        w.Bytes(PatientAccount);
        w.UInt32(Aid);
        w.UInt32(Pid);
        w.String(cid);
        w.Bytes(Key);
        w.Bytes(PlaintextSha256);
        w.Int64(Size);
        w.String(name);
        w.String(type);
        w.Int64(CreatedAt.ToUnixTimeMilliseconds());
        w.Byte(PreviousBlockHash is null ? (byte)0 : (byte)1);
        w.Bytes(PreviousBlockHash ?? new byte[32]);
        return bytes;
    }

    /// <summary>The block hash: SHA-256 of the canonical bytes. This is what the chain holds.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> serialized) => SHA256.HashData(serialized);

    public static RecordBlock Parse(ReadOnlySpan<byte> bytes)
    {
        var r = new Reader(bytes);
        if (!r.Bytes(4).SequenceEqual(Magic))
        {
            throw new FormatException("Not a record block.");
        }

        var version = r.Byte();
        if (version != CurrentVersion)
        {
            throw new FormatException($"Record block version {version} is not supported.");
        }

        var block = new RecordBlock
        {
            RecordId = r.Guid(),
            PatientAccount = r.Bytes(20).ToArray(),
            Aid = r.UInt32(),
            Pid = r.UInt32(),
            Cid = r.String(),
            Key = r.Bytes(32).ToArray(),
            PlaintextSha256 = r.Bytes(32).ToArray(),
            Size = r.Int64(),
            FileName = r.String(),
            ContentType = r.String(),
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.Int64()),
            PreviousBlockHash = r.Byte() switch
            {
                0 => r.Zeros(32),
                1 => r.Bytes(32).ToArray(),
                _ => throw new FormatException("Bad previous-hash flag in record block."),
            },
        };
        if (!r.AtEnd)
        {
            throw new FormatException("Trailing bytes after the record block.");
        }

        block.Validate();
        return block;
    }

    private void Validate()
    {
        if (PatientAccount.Length != 20 || Key.Length != 32 || PlaintextSha256.Length != 32 ||
            (PreviousBlockHash is not null && PreviousBlockHash.Length != 32))
        {
            throw new FormatException("A record block field has the wrong length.");
        }

        if (Size < 0 || string.IsNullOrEmpty(Cid))
        {
            throw new FormatException("A record block needs a CID and a non-negative size.");
        }
    }

    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;
        private int _at;

        public void Byte(byte value) => _buffer[_at++] = value;

        public void Bytes(ReadOnlySpan<byte> value)
        {
            value.CopyTo(_buffer[_at..]);
            _at += value.Length;
        }

        public void Guid(Guid value)
        {
            value.TryWriteBytes(_buffer.Slice(_at, 16), bigEndian: true, out _);
            _at += 16;
        }

        public void UInt32(uint value)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[_at..], value);
            _at += 4;
        }

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt64BigEndian(_buffer[_at..], value);
            _at += 8;
        }

        public void String(byte[] utf8)
        {
            if (utf8.Length > MaxStringBytes)
            {
                throw new FormatException($"A record block string is longer than {MaxStringBytes} bytes.");
            }

            BinaryPrimitives.WriteUInt16BigEndian(_buffer[_at..], (ushort)utf8.Length);
            _at += 2;
            Bytes(utf8);
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> buffer)
    {
        private readonly ReadOnlySpan<byte> _buffer = buffer;
        private int _at;

        public readonly bool AtEnd => _at == _buffer.Length;

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (_buffer.Length - _at < count)
            {
                throw new FormatException("The record block is truncated.");
            }

            var span = _buffer.Slice(_at, count);
            _at += count;
            return span;
        }

        public byte Byte() => Bytes(1)[0];

        public Guid Guid() => new(Bytes(16), bigEndian: true);

        public uint UInt32() => BinaryPrimitives.ReadUInt32BigEndian(Bytes(4));

        public long Int64() => BinaryPrimitives.ReadInt64BigEndian(Bytes(8));

        public string String()
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(Bytes(2));
            if (length > MaxStringBytes)
            {
                throw new FormatException("A record block string is too long.");
            }

            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Bytes(length));
        }

        public byte[]? Zeros(int count)
        {
            if (Bytes(count).ContainsAnyExcept((byte)0))
            {
                throw new FormatException("A record block without a previous hash must carry zeros in its place.");
            }

            return null;
        }
    }
}
