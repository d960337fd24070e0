using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Persistence;

/// <summary>
/// The journal database's health as last probed (<see cref="JournalHealthProbe"/>): probed on its own every few
/// seconds, so <c>/health</c> and <c>/ready</c> recover as soon as the database does, without waiting for traffic.
/// </summary>
public sealed class JournalHealth
{
    /// <summary>Status of a database that answered the last probe.</summary>
    public const string Healthy = "healthy";

    /// <summary>Status before the first probe.</summary>
    public const string Unknown = "unknown";

    /// <summary>Status of a database that did not answer the last probe.</summary>
    public const string Unreachable = "unreachable";

    private volatile JournalHealthState _current = new(Unknown, "not probed yet", null);

    /// <summary>The last probe's result.</summary>
    public JournalHealthState Current => _current;

    /// <summary>Records a probe's result.</summary>
    public void Set(JournalHealthState state) => _current = state;
}

/// <summary>One probe's result.</summary>
/// <param name="Status"><see cref="JournalHealth.Healthy"/>, <see cref="JournalHealth.Unknown"/> or <see cref="JournalHealth.Unreachable"/>.</param>
/// <param name="Detail">Why it is not healthy (no secrets), or null.</param>
/// <param name="At">When it was probed.</param>
public sealed record JournalHealthState(string Status, string? Detail, DateTimeOffset? At);

/// <summary>Probes the journal database with a cheap round trip every <see cref="Interval"/> (and at once at start).</summary>
public sealed class JournalHealthProbe(JournalDatabase database, JournalHealth health, TimeProvider time, ILogger<JournalHealthProbe> log) : BackgroundService
{
    /// <summary>Time between probes.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>Longest a probe may take before the database counts as unreachable.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Probes once now.</summary>
    public async Task ProbeOnceAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var before = health.Current.Status;
        try
        {
            await database.ProbeAsync(timeout.Token, Timeout).ConfigureAwait(false);
            health.Set(new JournalHealthState(JournalHealth.Healthy, null, time.GetUtcNow()));
            if (before == JournalHealth.Unreachable)
            {
                log.LogInformation("The journal database answers again");
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            var detail = e is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0}s" : e.GetType().Name + ": " + e.Message;
            health.Set(new JournalHealthState(JournalHealth.Unreachable, detail, time.GetUtcNow()));
            if (before != JournalHealth.Unreachable)
            {
                log.LogError("The journal database does not answer: {Reason}", detail);
            }

            return;
        }

        try
        {
            // What the journal needs beyond the plugin's tables, once they exist (see JournalDatabase.UpgradeSchemaAsync).
            await database.UpgradeSchemaAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is System.Data.Common.DbException)
        {
            log.LogWarning("Upgrading the journal's schema failed ({Reason}); trying again at the next probe", e.Message);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var timer = new PeriodicTimer(Interval);
            do
            {
                await ProbeOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }
}
