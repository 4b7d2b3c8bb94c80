using System.Security.Cryptography;
using System.Text;
using EhrShare.Core.Access;
using Microsoft.AspNetCore.DataProtection;

namespace EhrShare.Infrastructure.Persistence;

/// <summary>
/// Emergency reasons at rest: salt (32 bytes) ‖ UTF-8 text, protected with ASP.NET Core Data Protection under a purpose
/// of their own (<see cref="Purpose"/>), so a key or payload of another purpose (users' chain keys) cannot open them.
/// Plaintext buffers are zeroed after use; reasons never appear in messages or logs.
/// </summary>
internal sealed class EmergencyReasonProtector(IDataProtectionProvider dataProtection) : IEmergencyReasonProtector
{
    public const string Purpose = "EhrShare.EmergencyReason.v1";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(Purpose);

    public byte[] Protect(EmergencyReason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (reason.Salt.Length != 32)
        {
            throw new ArgumentException("The salt is 32 bytes.", nameof(reason));
        }

        var text = Encoding.UTF8.GetBytes(reason.Text);
        var plain = new byte[32 + text.Length];
        try
        {
            reason.Salt.CopyTo(plain, 0);
            text.CopyTo(plain, 32);
            return _protector.Protect(plain);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
            CryptographicOperations.ZeroMemory(text);
        }
    }

    public EmergencyReason Unprotect(byte[] protectedReason)
    {
        ArgumentNullException.ThrowIfNull(protectedReason);
        var plain = _protector.Unprotect(protectedReason);
        try
        {
            if (plain.Length < 32)
            {
                throw new CryptographicException("A stored emergency reason is shorter than its salt.");
            }

            return new EmergencyReason(plain[..32], Encoding.UTF8.GetString(plain, 32, plain.Length - 32));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
