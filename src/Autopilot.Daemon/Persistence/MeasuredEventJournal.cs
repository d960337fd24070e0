using System.Diagnostics;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Daemon.Metrics;

namespace Autopilot.Daemon.Persistence;

/// <summary>
/// Wraps the configured journal so every write's commit latency reaches <c>autopilot_persist_latency_seconds</c>,
/// whichever actor wrote it. Reads pass through untouched.
/// </summary>
public sealed class MeasuredEventJournal(IEventJournal inner, AutopilotMetrics metrics) : IEventJournal
{
    /// <inheritdoc />
    public JournalHealth Health => inner.Health;

    /// <inheritdoc />
    public event Action? Written
    {
        add => inner.Written += value;
        remove => inner.Written -= value;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => inner.StartAsync(cancellationToken);

    /// <inheritdoc />
    public async Task WriteAsync(AtomicWrite write, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await inner.WriteAsync(write, cancellationToken).ConfigureAwait(false);
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

    /// <inheritdoc />
    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default) =>
        inner.ReadHighestSequenceNrAsync(persistenceId, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<EventEnvelope> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max = long.MaxValue, CancellationToken cancellationToken = default) =>
        inner.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, cancellationToken);

    /// <inheritdoc />
    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) =>
        inner.DeleteMessagesToAsync(persistenceId, toSequenceNr, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<EventEnvelope> CurrentEventsByTagAsync(string tag, long afterOffset, CancellationToken cancellationToken = default) =>
        inner.CurrentEventsByTagAsync(tag, afterOffset, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<EventEnvelope> CurrentAllEventsAsync(long afterOffset, CancellationToken cancellationToken = default) =>
        inner.CurrentAllEventsAsync(afterOffset, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<string> CurrentPersistenceIdsAsync(CancellationToken cancellationToken = default) =>
        inner.CurrentPersistenceIdsAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
