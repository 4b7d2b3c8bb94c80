using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Persistence;

/// <summary>
/// The key that encrypts the Data Protection key ring at rest (section <c>DataProtection</c>). The key ring lives in
/// the app database next to what it protects (users' Ethereum keys), so without this a copy of the database alone
/// would open every account.
/// </summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    /// <summary>32 random bytes, base64 (env <c>DataProtection__KeyEncryptionKey</c>; <c>openssl rand -base64 32</c>).</summary>
    [Required(ErrorMessage = "DataProtection:KeyEncryptionKey is required (env DataProtection__KeyEncryptionKey; 32 random bytes in base64, e.g. from 'openssl rand -base64 32').")]
    public string KeyEncryptionKey { get; set; } = "";

    internal static bool IsValidKey(string value)
    {
        Span<byte> buffer = stackalloc byte[48];
        return Convert.TryFromBase64String(value, buffer, out var written) && written == 32;
    }

    internal byte[] KeyBytes() => Convert.FromBase64String(KeyEncryptionKey);
}

/// <summary>Encrypts each Data Protection key element with AES-256-GCM under the configured key-encryption key.</summary>
internal sealed class KeyRingXmlEncryptor(byte[] kek) : IXmlEncryptor
{
    internal const string ElementName = "aesGcmEncryptedKey";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = new byte[12 + plaintext.Length + 16];
        var nonce = sealedBytes.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(kek, 16))
        {
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(12, plaintext.Length), sealedBytes.AsSpan(12 + plaintext.Length), KeyId(kek));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement(ElementName,
            new XAttribute("version", 1),
            new XAttribute("kid", Convert.ToHexString(KeyId(kek))),
            Convert.ToBase64String(sealedBytes));
        return new EncryptedXmlInfo(element, typeof(KeyRingXmlDecryptor));
    }

    /// <summary>First 8 bytes of SHA-256 of the key: names the key without revealing it, and is bound as associated data.</summary>
    internal static byte[] KeyId(byte[] kek) => SHA256.HashData(kek)[..8];
}

/// <summary>Created by Data Protection through its (IServiceProvider) constructor when it reads the key ring.</summary>
internal sealed class KeyRingXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var kek = services.GetRequiredService<IOptions<KeyRingOptions>>().Value.KeyBytes();
        var kid = KeyRingXmlEncryptor.KeyId(kek);
        if (!string.Equals((string?)encryptedElement.Attribute("kid"), Convert.ToHexString(kid), StringComparison.OrdinalIgnoreCase))
        {
            throw new CryptographicException(
                "The Data Protection key ring was encrypted with a different DataProtection:KeyEncryptionKey than the one configured.");
        }

        var sealedBytes = Convert.FromBase64String(encryptedElement.Value);
        var plaintext = new byte[sealedBytes.Length - 28];
        using (var aes = new AesGcm(kek, 16))
        {
            aes.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(12, plaintext.Length), sealedBytes.AsSpan(12 + plaintext.Length), plaintext, kid);
        }

        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}

internal sealed class ConfigureKeyRingEncryption(IOptions<KeyRingOptions> keyRing) : IConfigureOptions<KeyManagementOptions>
{
    public void Configure(KeyManagementOptions options) =>
        options.XmlEncryptor = new KeyRingXmlEncryptor(keyRing.Value.KeyBytes());
}
