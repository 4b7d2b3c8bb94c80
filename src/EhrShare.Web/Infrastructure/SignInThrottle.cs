using System.Threading.RateLimiting;
using EhrShare.Core.Accounts;
using Microsoft.Extensions.Options;

namespace EhrShare.Web.Infrastructure;

/// <summary>
/// Throttles sign-in (and password-reset requests) with ASP.NET Core's rate limiters, before any account is looked up,
/// so the answer is the same for known and unknown emails: every attempt counts against the client address; failures
/// count against the account <em>from that address</em>, so an attacker's tries hold up the attacker, not the owner
/// signing in from elsewhere (docs/decisions/sign-in-throttling.md). Identity's lockout stays as the backstop.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly PartitionedRateLimiter<string> _perAccount;

    public SignInThrottle(IOptions<AccountOptions> options)
    {
        var o = options.Value;
        _perAddress = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = o.SignInAttemptsPerAddress, Window = o.SignInAddressWindow, QueueLimit = 0 }));
        _perAccount = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = o.SignInFailuresPerAccount, Window = o.SignInAccountWindow, QueueLimit = 0 }));
    }

    /// <summary>
    /// Counts an attempt from <paramref name="address"/> at <paramref name="account"/>. Null when it may go ahead;
    /// otherwise how long to wait.
    /// </summary>
    public TimeSpan? Attempt(string address, string account)
    {
        using (var lease = _perAddress.AttemptAcquire(address))
        {
            if (!lease.IsAcquired)
            {
                return RetryAfter(lease);
            }
        }

        // Zero permits: only asks whether this address still has failures left for this account.
        using var failures = _perAccount.AttemptAcquire(Key(address, account), 0);
        return failures.IsAcquired ? null : RetryAfter(failures);
    }

    /// <summary>Records a failed sign-in (wrong password, unknown email) from <paramref name="address"/> at <paramref name="account"/>.</summary>
    public void Failed(string address, string account) => _perAccount.AttemptAcquire(Key(address, account)).Dispose();

    /// <summary>"in about N minutes", for the message.</summary>
    public static string Describe(TimeSpan wait) => wait.TotalSeconds < 90
        ? $"in {Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} seconds"
        : $"in {(int)Math.Ceiling(wait.TotalMinutes)} minutes";

    public void Dispose()
    {
        _perAddress.Dispose();
        _perAccount.Dispose();
    }

    private static string Key(string address, string account) => address + "\n" + account.Trim().ToUpperInvariant();

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
}
