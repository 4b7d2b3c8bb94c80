using EhrShare.Infrastructure.Ipfs;
using EhrShare.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EhrShare.Infrastructure.Tests.Ipfs;

/// <summary>App hosts wired with <see cref="IpfsModule.AddIpfs"/>, as the web app wires them.</summary>
public static class IpfsTestHost
{
    /// <summary>A host against <paramref name="node"/>, started (so options are validated).</summary>
    public static Task<IHost> StartHostAsync(this IpfsDevNodeProcess node, IDictionary<string, string?>? settings = null) =>
        StartHost(node.ApiUrl, settings);

    public static async Task<IHost> StartHost(string? apiUrl, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var config = new Dictionary<string, string?> { ["Ipfs:ApiUrl"] = apiUrl };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.AddIpfs();
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    public static KuboRpcClient Client(IHost host) => host.Services.GetRequiredService<KuboRpcClient>();
}

/// <summary>One dev node and app host shared by the tests of a collection.</summary>
public sealed class DevNodeFixture : IAsyncLifetime
{
    private IHost? _host;

    public IpfsDevNodeProcess Node { get; private set; } = null!;

    public KuboRpcClient Client => IpfsTestHost.Client(_host!);

    public async Task InitializeAsync()
    {
        Node = await IpfsDevNodeProcess.StartAsync();
        _host = await Node.StartHostAsync();
    }

    public async Task DisposeAsync()
    {
        _host?.Dispose();
        await Node.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DevNodeCollection : ICollectionFixture<DevNodeFixture>
{
    public const string Name = "IPFS dev node";
}
