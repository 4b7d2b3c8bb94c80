using System.Diagnostics;
using MySqlConnector;

namespace EhrShare.SystemBench.Measuring;

/// <summary>
/// The access-log outbox as the database holds it: every attempt is written there first and reaches the chain in the
/// background. The bench waits for it to drain (nothing Pending or Sent) before reading network counters or moving to
/// the next stage, so one stage's audit transactions do not land in another's figures.
/// </summary>
public sealed class Outbox(string appDb)
{
    /// <summary>Entries not yet confirmed on the chain (State Pending or Sent).</summary>
    public async Task<long> OpenCountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new MySqlConnection(appDb);
        await connection.OpenAsync(cancellationToken);
        await using var command = new MySqlCommand("SELECT COUNT(*) FROM AccessLog WHERE State IN ('Pending', 'Sent')", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until the outbox is empty; returns how long that took.</summary>
    public async Task<TimeSpan> DrainAsync(TimeSpan timeout, Action<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var open = await OpenCountAsync(cancellationToken);
            progress?.Invoke(open);
            if (open == 0)
            {
                return watch.Elapsed;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"The access-log outbox still has {open} entries after {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(open > 50 ? 200 : 5, cancellationToken);
        }
    }
}
