using EhrShare.Infrastructure.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Hosting;

public sealed class DataProtectionTests
{
    [Fact]
    public async Task KeyRing_IsStoredInTheDatabase_EncryptedUnderTheKeyEncryptionKey()
    {
        await using var app = new EhrAppFactory();
        var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        var secret = "not for the database " + Guid.NewGuid();

        var protectedValue = protector.Protect(secret);

        Assert.Equal(secret, protector.Unprotect(protectedValue));
        using var scope = app.Services.CreateScope();
        var keys = await scope.ServiceProvider.GetRequiredService<EhrDbContext>().DataProtectionKeys.AsNoTracking().ToListAsync();
        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.Contains("aesGcmEncryptedKey", key.Xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", key.Xml, StringComparison.Ordinal);
        });
    }
}
