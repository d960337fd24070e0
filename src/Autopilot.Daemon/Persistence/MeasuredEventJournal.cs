using System.Diagnostics;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Daemon.Metrics;

namespace Autopilot.Daemon.Persistence;

/// <summary>
/// Wraps the configured journal so every write's commit latency reaches <c>autopilot_persist_latency_seconds</c>,
/// whichever actor wrote it. Reads pass through untouched.
/// </summary>
public sealed class MeasuredEventJournal(IEventJournal inner, AutopilotMetrics metrics) : EventJournalDecorator(inner)
{
    /// <inheritdoc />
    public override async Task WriteAsync(AtomicWrite write, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await Inner.WriteAsync(write, cancellationToken).ConfigureAwait(false);
            metrics.RecordPersistLatency(Stopwatch.GetElapsedTime(started), "committed");
        }
        catch (JournalRejectedException)
        {
            metrics.RecordPersistLatency(Stopwatch.GetElapsedTime(started), "rejected");
            throw;
        }
        catch
        {
            metrics.RecordPersistLatency(Stopwatch.GetElapsedTime(started), "failed");
            throw;
        }
    }
}
