using System.Threading.Channels;

namespace Autopilot.Actors.Sql.GroupCommit;

/// <summary>
/// Group commit: concurrent writers enqueue, a single loop takes whatever is queued (up to a maximum) and hands it to
/// the back end to commit in one transaction, so one flush acknowledges many writes. Up to
/// <c>maxConcurrentCommits</c> batches may be committing at once (each on its own connection), so writers that
/// arrive while a batch commits need not wait for its flush before theirs starts.
/// </summary>
/// <remarks>
/// Writes of one persistence id are committed in the order they were made: the queue is FIFO, there is one loop,
/// and a batch never takes a write whose persistence id is in a batch still committing (that write, and everything
/// queued behind it, waits for that commit to finish).
/// </remarks>
internal sealed class GroupCommitQueue : IAsyncDisposable
{
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<PendingWrite>, Task> _commitBatch;
    private readonly int _maxBatchSize;
    private readonly int _maxConcurrentCommits;
    private Task? _loop;

    /// <param name="commitBatch">
    /// Commits a batch and completes each write (success or typed rejection). If it throws, every write of the
    /// batch it did not complete fails with that exception, which must already be free of secrets. May run
    /// concurrently with itself up to <paramref name="maxConcurrentCommits"/> times.
    /// </param>
    /// <param name="maxBatchSize">Most writes per transaction.</param>
    /// <param name="maxConcurrentCommits">Most batches committing at once (1: each batch waits for the previous).</param>
    public GroupCommitQueue(Func<IReadOnlyList<PendingWrite>, Task> commitBatch, int maxBatchSize, int maxConcurrentCommits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentCommits, 1);
        _commitBatch = commitBatch;
        _maxBatchSize = maxBatchSize;
        _maxConcurrentCommits = maxConcurrentCommits;
    }

    public bool IsRunning => _loop is not null;

    public void Start() => _loop ??= Task.Run(RunAsync);

    public Task EnqueueAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        if (!_queue.Writer.TryWrite(write))
            throw new ObjectDisposedException(nameof(GroupCommitQueue), "The journal is stopped.");
        return write.Completion.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
            await _loop.ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var stranded))
            stranded.Fail(new JournalUnavailableException("The journal stopped before the write was committed."));
    }

    private async Task RunAsync()
    {
        var committing = new List<Commit>(_maxConcurrentCommits);
        PendingWrite? heldBack = null;
        while (true)
        {
            while (committing.Count >= _maxConcurrentCommits)
                await FinishOneAsync(committing).ConfigureAwait(false);
            if (heldBack is null && !await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
                break;

            // Writers whose previous write was just acknowledged are about to enqueue their next one (their
            // continuations are queued on the thread pool): yield once so they make it into this batch instead of
            // trailing into a second, nearly empty transaction. Costs one thread-pool hop.
            await Task.Yield();
            committing.RemoveAll(c => c.Task.IsCompleted);
            var batch = new List<PendingWrite>();
            var streams = new HashSet<string>(StringComparer.Ordinal);
            while (batch.Count < _maxBatchSize && (heldBack is not null || _queue.Reader.TryRead(out heldBack)))
            {
                if (committing.Exists(c => c.Streams.Contains(heldBack.Write.PersistenceId)))
                    break;
                batch.Add(heldBack);
                streams.Add(heldBack.Write.PersistenceId);
                heldBack = null;
            }

            if (batch.Count > 0)
                committing.Add(new Commit(CommitAsync(batch), streams));
            else if (committing.Count > 0)
                await FinishOneAsync(committing).ConfigureAwait(false);
        }

        await Task.WhenAll(committing.Select(c => c.Task)).ConfigureAwait(false);
    }

    /// <summary>Waits until one of the batches committing now has finished and forgets it.</summary>
    private static async Task FinishOneAsync(List<Commit> committing)
    {
        var finished = await Task.WhenAny(committing.Select(c => c.Task)).ConfigureAwait(false);
        committing.RemoveAll(c => c.Task == finished);
    }

    /// <summary>Commits a batch; never throws (a failure fails the batch's writes).</summary>
    private async Task CommitAsync(IReadOnlyList<PendingWrite> batch)
    {
        try
        {
            await _commitBatch(batch).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var write in batch)
                write.Fail(e);
        }
    }

    /// <summary>A batch being committed and the persistence ids it holds.</summary>
    private sealed record Commit(Task Task, HashSet<string> Streams);
}
