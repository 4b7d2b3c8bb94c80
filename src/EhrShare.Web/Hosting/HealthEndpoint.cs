using System.Net;
using System.Text.Json;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EhrShare.Web.Hosting;

public static class HealthEndpoint
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// <c>GET /health</c>: the overall status as JSON; 200 when all dependencies are healthy, 503 when any is not. The
    /// manager, and a request from this machine that no proxy forwarded, also get one entry per dependency (app
    /// database, every share node, IPFS, the chain and the contract's code) with its description and timing.
    /// </summary>
    public static IEndpointConventionBuilder MapEhrHealth(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).DisableHttpMetrics();

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        if (!MayShowDetail(context))
        {
            return JsonSerializer.SerializeAsync(context.Response.Body, new { status = report.Status.ToString() }, Json, context.RequestAborted);
        }

        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            entries = report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status.ToString(),
                    description = e.Value.Description ?? e.Value.Exception?.Message,
                    durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, Json, context.RequestAborted);
    }

    /// <summary>
    /// The detail names the databases, the share nodes, the IPFS URL and the contract's address: only for the signed-in
    /// manager, or for a loopback caller without forwarding headers (a reverse proxy on the same machine would make
    /// every client look local), unless <c>Web:HealthDetailForLoopback</c> is off. A request without a remote address
    /// (an in-process host) is not loopback (docs/decisions/health-detail.md).
    /// </summary>
    private static bool MayShowDetail(HttpContext context)
    {
        if (context.User.IsInRole(Roles.Admin))
        {
            return true;
        }

        var remote = context.Connection.RemoteIpAddress;
        if (remote is null || !context.RequestServices.GetRequiredService<IOptions<WebOptions>>().Value.HealthDetailForLoopback)
        {
            return false;
        }

        var headers = context.Request.Headers;
        var forwarded = headers.ContainsKey("Forwarded") || headers.ContainsKey("X-Forwarded-For") || headers.ContainsKey("X-Real-IP");
        return !forwarded && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);
    }
}
