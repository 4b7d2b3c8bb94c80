using System.Security.Cryptography;
using System.Text;
using EhrShare.Core.Records;
using Microsoft.AspNetCore.DataProtection;

namespace EhrShare.Infrastructure.Persistence;

/// <summary>
/// Record descriptions at rest: title, notes and file name as length-prefixed UTF-8 (a presence byte before the
/// notes), protected with ASP.NET Core Data Protection under a purpose of their own (<see cref="Purpose"/>). The
/// plaintext buffer is zeroed after use; descriptions never appear in messages or logs.
/// </summary>
internal sealed class RecordDescriptionProtector(IDataProtectionProvider dataProtection) : IRecordDescriptionProtector
{
    public const string Purpose = "EhrShare.RecordDescription.v1";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(Purpose);

    public byte[] Protect(RecordDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(description.Title);
            writer.Write(description.Notes is not null);
            writer.Write(description.Notes ?? "");
            writer.Write(description.FileName);
        }

        var plain = buffer.GetBuffer();
        try
        {
            return _protector.Protect(plain.AsSpan(0, (int)buffer.Length).ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    public RecordDescription Unprotect(byte[] protectedDescription)
    {
        ArgumentNullException.ThrowIfNull(protectedDescription);
        var plain = _protector.Unprotect(protectedDescription);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(plain, writable: false), Encoding.UTF8);
            var title = reader.ReadString();
            var hasNotes = reader.ReadBoolean();
            var notes = reader.ReadString();
            return new RecordDescription(title, hasNotes ? notes : null, reader.ReadString());
        }
        catch (EndOfStreamException ex)
        {
            throw new CryptographicException("A stored record description is cut short.", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
