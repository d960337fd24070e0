using System.Threading.Channels;

namespace Autopilot.Actors.Sql.GroupCommit;

/// <summary>
/// Group commit: concurrent writers enqueue, a single loop takes whatever is queued (up to a maximum) and hands it to
/// the back end to commit in one transaction, so one fsync acknowledges many writes. The queue is FIFO and there is
/// one consumer, so writes of one persistence id are committed in the order they were made.
/// </summary>
internal sealed class GroupCommitQueue : IAsyncDisposable
{
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<PendingWrite>, Task> _commitBatch;
    private readonly int _maxBatchSize;
    private Task? _loop;

    /// <param name="commitBatch">
    /// Commits a batch and completes each write (success or typed rejection). If it throws, every write of the
    /// batch it did not complete fails with that exception, which must already be free of secrets.
    /// </param>
    /// <param name="maxBatchSize">Most writes per transaction.</param>
    public GroupCommitQueue(Func<IReadOnlyList<PendingWrite>, Task> commitBatch, int maxBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _commitBatch = commitBatch;
        _maxBatchSize = maxBatchSize;
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
        var batch = new List<PendingWrite>(_maxBatchSize);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Writers whose previous write was just acknowledged are about to enqueue their next one (their
            // continuations are queued on the thread pool): yield once so they make it into this batch instead of
            // trailing into a second, nearly empty transaction. Costs one thread-pool hop.
            await Task.Yield();
            batch.Clear();
            while (batch.Count < _maxBatchSize && _queue.Reader.TryRead(out var write))
                batch.Add(write);
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
    }
}
