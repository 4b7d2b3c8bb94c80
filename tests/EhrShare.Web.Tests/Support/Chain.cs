using System.Net.Http.Json;
using EhrShare.Core.Access;
using EhrShare.Core.Chain;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Support;

/// <summary>The test chain as the tests need it: a fresh block (so views see the current time) and users' standing.</summary>
public static class Chain
{
    private static readonly HttpClient Rpc = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Mines an empty block at the current time (anvil's evm_mine; the clock is not moved, so other tests
    /// sharing the chain are not affected).</summary>
    public static async Task MineAsync()
    {
        using var response = await Rpc.PostAsJsonAsync(TestStack.ChainRpcUrl, new { jsonrpc = "2.0", id = 1, method = "evm_mine", @params = Array.Empty<object>() });
        response.EnsureSuccessStatusCode();
    }

    public static async Task<LedgerAccount> StandingAsync(EhrAppFactory app, string userId)
    {
        using var scope = app.Services.CreateScope();
        var account = await scope.ServiceProvider.GetRequiredService<EhrDbContext>().ChainAccounts.AsNoTracking()
            .Where(a => a.UserId == userId).Select(a => a.Address).SingleAsync();
        return await scope.ServiceProvider.GetRequiredService<IAccessLedger>().GetAccountAsync(account, CancellationToken.None);
    }

    /// <summary>The permission the contract holds for the doctor on the patient, read now (users by their app ids).</summary>
    public static async Task<LedgerPermission> PermissionAsync(EhrAppFactory app, string patientUserId, string doctorUserId)
    {
        using var scope = app.Services.CreateScope();
        var accounts = scope.ServiceProvider.GetRequiredService<EhrDbContext>().ChainAccounts.AsNoTracking();
        var patient = await accounts.Where(a => a.UserId == patientUserId).Select(a => a.Address).SingleAsync();
        var doctor = await accounts.Where(a => a.UserId == doctorUserId).Select(a => a.Address).SingleAsync();
        return await scope.ServiceProvider.GetRequiredService<IAccessLedger>().GetPermissionAsync(patient, doctor, CancellationToken.None);
    }

    /// <summary>Waits until every recorded attempt of <paramref name="actorUserId"/> is on the chain; returns them.</summary>
    public static Task<IReadOnlyList<AccessLogEntry>> AttemptsOnChainAsync(EhrAppFactory app, string actorUserId, int count) =>
        Eventually.WaitForAsync(
            () => RecordSteps.AttemptsByAsync(app, actorUserId),
            attempts => attempts.Count >= count && attempts.All(a => a.State == OutboxState.Confirmed),
            $"{count} access attempts of {actorUserId} confirmed on the chain",
            describe: attempts => string.Join("; ", attempts.Select(a =>
                $"#{a.Id} {a.State}, {a.Attempts} attempt(s), next {a.NextAttemptAt:HH:mm:ss.fff}, tx {a.TransactionHash ?? "none"}, error: {a.LastError ?? "none"}")));
}
