using System.Collections.Concurrent;
using Autopilot.Actors.Persistence.Journal;

namespace Autopilot.Actors.Tests.Persistence;

/// <summary>
/// An in-memory journal a test can hold (writes wait for a gate) or break (writes fail as if the database were gone),
/// to observe what a persistent actor does while a write is in flight or after it failed.
/// </summary>
public sealed class ControllableJournal(IEventJournal inner) : EventJournalDecorator(inner)
{
    private readonly object _order = new();
    private volatile TaskCompletionSource? _gate;
    private Task _previousWrite = Task.CompletedTask;
    private int _failuresLeft;
    private int _pendingWrites;

    public ConcurrentQueue<AtomicWrite> Writes { get; } = new();

    /// <summary>Writes the journal has been handed that have not finished yet (held, or still being stored).</summary>
    public int PendingWrites => Volatile.Read(ref _pendingWrites);

    /// <summary>Holds every write until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => Interlocked.Exchange(ref _gate, null)?.SetResult();

    /// <summary>The next <paramref name="count"/> writes (and replays) fail with <see cref="JournalUnavailableException"/>.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failuresLeft, count);

    public override async Task WriteAsync(AtomicWrite write, CancellationToken cancellationToken = default)
    {
        // Like every journal, keep writes in the order they were made, also when the gate releases them together.
        Interlocked.Increment(ref _pendingWrites);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_order)
        {
            previous = _previousWrite;
            _previousWrite = done.Task;
        }

        try
        {
            await previous;
            if (_gate is { } gate)
            {
                await gate.Task;
            }

            if (TakeFailure())
            {
                throw new JournalUnavailableException("connection refused (simulated)");
            }

            await Inner.WriteAsync(write, cancellationToken);
            Writes.Enqueue(write);
        }
        finally
        {
            Interlocked.Decrement(ref _pendingWrites);
            done.SetResult();
        }
    }

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default) =>
        TakeFailure() ? throw new JournalUnavailableException("connection refused (simulated)") : Inner.ReadHighestSequenceNrAsync(persistenceId, cancellationToken);

    private bool TakeFailure()
    {
        while (true)
        {
            var left = Volatile.Read(ref _failuresLeft);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _failuresLeft, left - 1, left) == left)
            {
                return true;
            }
        }
    }
}
