using EhrShare.Core.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Ipfs;

public static class IpfsModule
{
    /// <summary>
    /// Registers <see cref="KuboRpcClient"/> (a typed HttpClient), its options (section <c>Ipfs</c>, validated at
    /// start) and the <c>ipfs</c> health check.
    /// </summary>
    public static IHostApplicationBuilder AddIpfs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IpfsOptions>()
            .BindConfiguration(IpfsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddHttpClient<KuboRpcClient>((services, http) =>
            {
                http.BaseAddress = services.GetRequiredService<IOptions<IpfsOptions>>().Value.ApiBaseUri;
                // No overall limit: KuboRpcClient bounds small calls and streams by itself (see IpfsOptions).
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                ConnectTimeout = services.GetRequiredService<IOptions<IpfsOptions>>().Value.ConnectTimeout,
                // The RPC API is an admin interface on a private address: never through a proxy.
                UseProxy = false,
                AllowAutoRedirect = false,
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            });

        builder.Services.AddScoped<IRecordBlobStore, IpfsRecordBlobStore>();
        builder.Services.AddHealthChecks().AddCheck<IpfsHealthCheck>("ipfs");
        return builder;
    }
}
