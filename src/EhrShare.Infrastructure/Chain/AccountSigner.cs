using System.Buffers.Text;
using System.Security.Cryptography;
using EhrShare.Core.Users;
using EhrShare.Infrastructure.Ethereum.Crypto;
using Microsoft.AspNetCore.DataProtection;

namespace EhrShare.Infrastructure.Chain;

/// <summary>
/// Protects a new account's private key and opens a stored one only to sign. The key is the private key's hex
/// (<c>0x</c> + 64 digits), protected with ASP.NET Core Data Protection under the purpose <see cref="Purpose"/>; the
/// stored form is what <c>IDataProtector.Protect(string)</c> gives (base64url). Plaintext buffers are zeroed after use;
/// keys never appear in messages or logs (<see cref="EthKey.ToString"/> shows the address only).
/// </summary>
internal sealed class AccountSigner(IDataProtectionProvider dataProtection)
{
    public const string Purpose = "EhrShare.ChainAccount.v1";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(Purpose);

    public string Protect(EthKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var raw = key.ExportPrivateKey();
        var hex = new byte[2 + (raw.Length * 2)];
        try
        {
            hex[0] = (byte)'0';
            hex[1] = (byte)'x';
            for (var i = 0; i < raw.Length; i++)
            {
                hex[2 + (2 * i)] = HexDigit(raw[i] >> 4);
                hex[3 + (2 * i)] = HexDigit(raw[i] & 0xF);
            }

            return Base64Url.EncodeToString(_protector.Protect(hex));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
            CryptographicOperations.ZeroMemory(hex);
        }
    }

    /// <summary>The account's signing key. Throws <see cref="AccountKeyUnavailableException"/> when it cannot be opened.</summary>
    public EthKey Unprotect(ChainAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        byte[] hex;
        try
        {
            hex = _protector.Unprotect(Base64Url.DecodeFromChars(account.ProtectedPrivateKey));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            throw new AccountKeyUnavailableException(
                $"The chain account key of user {account.UserId} cannot be opened with this app's Data Protection key ring " +
                "(was the key ring or DataProtection:KeyEncryptionKey changed?).", ex);
        }

        var raw = new byte[32];
        try
        {
            var digits = hex.AsSpan();
            if (digits.Length == 66 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
            {
                digits = digits[2..];
            }

            if (digits.Length != 64 || !TryDecodeHex(digits, raw))
            {
                throw new AccountKeyUnavailableException($"The chain account key of user {account.UserId} is not a private key.");
            }

            var key = EthKey.FromPrivateKey(raw);
            if (!EthAddress.TryParse(account.Address, out var address) || key.Address != address)
            {
                throw new AccountKeyUnavailableException(
                    $"The chain account key of user {account.UserId} does not belong to the account's address {account.Address}.");
            }

            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
            CryptographicOperations.ZeroMemory(hex);
        }
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);

    private static bool TryDecodeHex(ReadOnlySpan<byte> digits, Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var hi = Nibble(digits[2 * i]);
            var lo = Nibble(digits[(2 * i) + 1]);
            if (hi < 0 || lo < 0)
            {
                return false;
            }

            destination[i] = (byte)((hi << 4) | lo);
        }

        return true;
    }

    private static int Nibble(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}

/// <summary>A user's chain account key could not be opened (wrong key ring, or a damaged stored key). The message holds no key material.</summary>
public sealed class AccountKeyUnavailableException : InvalidOperationException
{
    public AccountKeyUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public AccountKeyUnavailableException()
    {
    }

    public AccountKeyUnavailableException(string message)
        : base(message)
    {
    }
}
