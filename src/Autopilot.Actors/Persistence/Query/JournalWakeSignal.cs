using Autopilot.Actors.Persistence.Journal;

namespace Autopilot.Actors.Persistence.Query;

/// <summary>
/// Wakes a live query when its journal commits a write, or when the polling interval has passed (writes by other
/// processes raise no event here). A signal raised while the query is still reading is not lost: the query takes
/// <see cref="Next"/> before it reads, and a write during the read has already completed it.
/// </summary>
internal sealed class JournalWakeSignal : IDisposable
{
    private readonly IEventJournal _journal;
    private readonly TimeSpan _pollInterval;
    private readonly TimeProvider _timeProvider;
    private TaskCompletionSource _next = NewSource();

    public JournalWakeSignal(IEventJournal journal, TimeSpan pollInterval, TimeProvider timeProvider)
    {
        _journal = journal;
        _pollInterval = pollInterval;
        _timeProvider = timeProvider;
        _journal.Written += OnWritten;
    }

    /// <summary>Completes on the next write after this property is read.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Waits until <paramref name="written"/> completes or the polling interval elapses.</summary>
    public async Task WaitAsync(Task written, CancellationToken cancellationToken)
    {
        using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(_pollInterval, _timeProvider, delayCancellation.Token);
        await Task.WhenAny(written, delay).ConfigureAwait(false);
        await delayCancellation.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    public void Dispose() => _journal.Written -= OnWritten;

    private void OnWritten() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
