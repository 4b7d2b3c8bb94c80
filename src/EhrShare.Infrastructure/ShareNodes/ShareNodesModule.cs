using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EhrShare.Infrastructure.ShareNodes;

public static class ShareNodesModule
{
    public static IHostApplicationBuilder AddShareNodes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShareNodeOptions>()
            .BindConfiguration(ShareNodeOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // One health entry per node, so /health names the node that is down.
        var configured = builder.Configuration.GetSection(ShareNodeOptions.Section).Get<ShareNodeOptions>() ?? new();
        var health = builder.Services.AddHealthChecks();
        for (var i = 0; i < configured.Nodes.Count; i++)
        {
            var connectionString = configured.Nodes[i].ConnectionString;
            health.AddCheck($"share-{configured.Nodes[i].DisplayName(i)}", new ShareNodeHealthCheck(connectionString),
                timeout: TimeSpan.FromSeconds(5));
        }

        return builder;
    }
}
