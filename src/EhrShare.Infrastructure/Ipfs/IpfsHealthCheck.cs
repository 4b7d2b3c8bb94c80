using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EhrShare.Infrastructure.Ipfs;

/// <summary>Healthy when the IPFS node answers <c>/api/v0/version</c>.</summary>
public sealed class IpfsHealthCheck(KuboRpcClient ipfs) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["apiUrl"] = ipfs.ApiUrl };
        try
        {
            var version = await ipfs.VersionAsync(cancellationToken);
            data["version"] = version.Version;
            return HealthCheckResult.Healthy($"IPFS node at {ipfs.ApiUrl} answers (version {version.Version}).", data);
        }
        catch (IpfsUnavailableException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"IPFS node is down: {e.Message}", e, data);
        }
        catch (IpfsException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"IPFS node at {ipfs.ApiUrl} answered version with an error: {e.Message}", e, data);
        }
    }
}
