using EhrShare.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests;

/// <summary>
/// The real app, hosted in the test process against the test stack (real MariaDB, anvil and IPFS node).
/// <paramref name="settings"/> overrides individual settings, e.g. to point one dependency at a closed port;
/// <paramref name="testServices"/> runs after the app's own registrations (ConfigureTestServices), e.g. to wrap a port
/// in a recording or fault-injecting decorator.
/// </summary>
public sealed class EhrAppFactory(
    IReadOnlyDictionary<string, string?>? settings = null,
    Action<IServiceCollection>? testServices = null) : WebApplicationFactory<Program>
{
    public EhrAppFactory()
        : this(null)
    {
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        TestStack.ExportToEnvironment();
        builder.UseEnvironment("Test");
        builder.UseSetting("Hosting:RethrowStartupErrors", "true");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        if (testServices is not null)
        {
            builder.ConfigureTestServices(testServices);
        }
    }
}
