using System.Security.Cryptography;
using System.Xml.Linq;
using EhrShare.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Tests.Persistence;

public sealed class KeyRingProtectionTests
{
    private static readonly XElement Key = XElement.Parse("<descriptor><masterKey><value>c2VjcmV0</value></masterKey></descriptor>");

    [Fact]
    public void Encrypt_ThenDecryptWithTheSameKey_GivesTheElementBack()
    {
        var kek = RandomNumberGenerator.GetBytes(32);

        var encrypted = new KeyRingXmlEncryptor(kek).Encrypt(Key);
        var decrypted = Decryptor(kek).Decrypt(encrypted.EncryptedElement);

        Assert.DoesNotContain("c2VjcmV0", encrypted.EncryptedElement.ToString(), StringComparison.Ordinal);
        Assert.Equal(Key.ToString(), decrypted.ToString());
    }

    [Fact]
    public void Decrypt_WithAnotherKey_FailsNamingTheSetting()
    {
        var encrypted = new KeyRingXmlEncryptor(RandomNumberGenerator.GetBytes(32)).Encrypt(Key);

        var error = Assert.Throws<CryptographicException>(() => Decryptor(RandomNumberGenerator.GetBytes(32)).Decrypt(encrypted.EncryptedElement));

        Assert.Contains("DataProtection:KeyEncryptionKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_OfATamperedElement_Fails()
    {
        var kek = RandomNumberGenerator.GetBytes(32);
        var encrypted = new KeyRingXmlEncryptor(kek).Encrypt(Key).EncryptedElement;
        var bytes = Convert.FromBase64String(encrypted.Value);
        bytes[20] ^= 1;
        encrypted.Value = Convert.ToBase64String(bytes);

        Assert.ThrowsAny<CryptographicException>(() => Decryptor(kek).Decrypt(encrypted));
    }

    [Theory]
    [InlineData("")]
    [InlineData("c2hvcnQ=")]
    [InlineData("not base64 at all")]
    public void KeyValidation_RejectsKeysThatAreNot32Bytes(string value) => Assert.False(KeyRingOptions.IsValidKey(value));

    private static KeyRingXmlDecryptor Decryptor(byte[] kek)
    {
        var services = new ServiceCollection()
            .AddSingleton(Options.Create(new KeyRingOptions { KeyEncryptionKey = Convert.ToBase64String(kek) }))
            .BuildServiceProvider();
        return new KeyRingXmlDecryptor(services);
    }
}
