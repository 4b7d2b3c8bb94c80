using EhrShare.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace EhrShare.Web.Tests;

/// <summary>
/// The real app, hosted in the test process against the test stack (real MariaDB, anvil and IPFS node).
/// <paramref name="settings"/> overrides individual settings, e.g. to point one dependency at a closed port.
/// </summary>
public sealed class EhrAppFactory(IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    public EhrAppFactory()
        : this(null)
    {
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        TestStack.ExportToEnvironment();
        builder.UseEnvironment("Test");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }
}
