using System.Runtime.CompilerServices;
using Autopilot.Actors.Sql.Connectivity;
using Autopilot.Actors.Sql.Database;
using Autopilot.Actors.Sql.GroupCommit;

namespace Autopilot.Actors.Sql.Journal;

/// <summary>
/// What the SQL journals have in common, so it is written once: start-up with retries and health, the group commit
/// (serialize on the caller's thread, one writer loop, complete each write with its own outcome, raise
/// <see cref="Written"/>), paging through queries so no read transaction stays open while a consumer works, and
/// turning rows into <see cref="EventEnvelope"/>s. A back end supplies its SQL, how it commits a batch and how it
/// decodes the columns whose types differ.
/// </summary>
/// <remarks>
/// Every query returns <see cref="EventColumns"/> in that order. Database failures surface as
/// <see cref="JournalUnavailableException"/> with a message free of secrets; rejections of single writes as
/// <see cref="JournalRejectedException"/>.
/// </remarks>
public abstract class SqlEventJournal : IEventJournal
{
    /// <summary>Rows per query: large enough to amortise a round trip, small enough to bound memory.</summary>
    private protected const int PageSize = 4096;

    /// <summary>The columns, in order, of every query that returns events.</summary>
    private protected const string EventColumns = "e.ordering, e.persistence_id, e.sequence_nr, e.written_at, e.manifest, e.schema_version, e.payload, e.tags";

    private readonly string _storeName;
    private readonly SqlDatabase _database;
    private readonly EventSerializer _serializer;
    private readonly StoreHealth _health;
    private readonly StartupRetry _startup;
    private readonly GroupCommitQueue _queue;
    private volatile bool _disposed;

    /// <param name="storeName">How messages and logs name this journal, e.g. "SQLite journal".</param>
    /// <param name="database">The back end's database; disposed with the journal.</param>
    /// <param name="settings">Start-up backoff and group-commit size.</param>
    /// <param name="serializer">Serializer of event payloads.</param>
    /// <param name="logger">Receives connectivity and subscriber failures (never secrets).</param>
    /// <param name="timeProvider">Clock for start-up backoff.</param>
    private protected SqlEventJournal(string storeName, SqlDatabase database, SqlStoreSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
    {
        _storeName = storeName;
        _database = database;
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        Logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _health = new StoreHealth(storeName, database.Connection, logger);
        _startup = new StartupRetry(storeName, _health, settings.StartupBackoff, logger, timeProvider ?? throw new ArgumentNullException(nameof(timeProvider)));
        _queue = new GroupCommitQueue(CommitBatchAsync, settings.MaxBatchSize);
    }

    /// <inheritdoc />
    public event Action? Written;

    /// <inheritdoc />
    public JournalHealth Health => _health.Current;

    /// <summary>Where the back end reports failures it handles itself.</summary>
    private protected ILogger Logger { get; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _startup.RunAsync(_database.EnsureSchemaAsync, cancellationToken).ConfigureAwait(false);
        _queue.Start();
    }

    /// <inheritdoc />
    public Task WriteAsync(AtomicWrite write, CancellationToken cancellationToken = default)
    {
        EnsureStarted();
        write.EnsureWellFormed();
        var payloads = write.Events.Select(e => _serializer.Serialize(e.Payload)).ToArray();
        return _queue.EnqueueAsync(new PendingWrite(write, payloads), cancellationToken);
    }

    /// <inheritdoc />
    public async Task RaiseFenceAsync(long token, CancellationToken cancellationToken)
    {
        EnsureStarted();
        try
        {
            await _database.ExecuteAsync(RaiseFenceQuery(token), cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            throw Unavailable("raise the fence", e);
        }
    }

    /// <inheritdoc />
    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        var rows = await QueryAsync("read the highest sequence number", HighestSequenceNrQuery(persistenceId), r => r.GetInt64(0), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? 0 : rows[0];
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EventEnvelope> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = fromSequenceNr;
        var remaining = max;
        while (remaining > 0 && next <= toSequenceNr)
        {
            var limit = (int)Math.Min(remaining, PageSize);
            var page = await ReadEventsAsync(StreamPageQuery(persistenceId, next, toSequenceNr, limit), cancellationToken).ConfigureAwait(false);
            foreach (var envelope in page)
                yield return envelope;
            if (page.Count < limit)
                yield break;
            next = page[^1].SequenceNr + 1;
            remaining -= page.Count;
        }
    }

    /// <inheritdoc />
    public async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            await DeleteEventsAsync(persistenceId, toSequenceNr, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            throw Unavailable("delete events", e);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<EventEnvelope> CurrentEventsByTagAsync(string tag, long afterOffset, CancellationToken cancellationToken = default) =>
        ReadAfterOffsetAsync(after => TagPageQuery(tag, after), afterOffset, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<EventEnvelope> CurrentAllEventsAsync(long afterOffset, CancellationToken cancellationToken = default) =>
        ReadAfterOffsetAsync(AllEventsPageQuery, afterOffset, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<string> CurrentPersistenceIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var after = "";
        while (true)
        {
            var page = await QueryAsync("read persistence ids", PersistenceIdPageQuery(after), r => r.GetString(0), cancellationToken).ConfigureAwait(false);
            foreach (var id in page)
                yield return id;
            if (page.Count < PageSize)
                yield break;
            after = page[^1];
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await _queue.DisposeAsync().ConfigureAwait(false);
        await CloseWriterAsync().ConfigureAwait(false);
        await _database.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Reads the highest sequence number ever stored for a stream (no row when none).</summary>
    private protected abstract SqlQuery HighestSequenceNrQuery(string persistenceId);

    /// <summary>At most <paramref name="limit"/> events of one stream from <paramref name="from"/> to <paramref name="to"/>, by sequence number.</summary>
    private protected abstract SqlQuery StreamPageQuery(string persistenceId, long from, long to, int limit);

    /// <summary>At most <see cref="PageSize"/> events carrying <paramref name="tag"/> after <paramref name="afterOffset"/>, by offset.</summary>
    private protected abstract SqlQuery TagPageQuery(string tag, long afterOffset);

    /// <summary>At most <see cref="PageSize"/> events after <paramref name="afterOffset"/>, by offset.</summary>
    private protected abstract SqlQuery AllEventsPageQuery(long afterOffset);

    /// <summary>At most <see cref="PageSize"/> persistence ids greater than <paramref name="after"/> that still have events, ordinally ascending.</summary>
    private protected abstract SqlQuery PersistenceIdPageQuery(string after);

    /// <summary>
    /// Raises the stored journal-wide fence to <paramref name="token"/> unless it is already higher, in its own
    /// transaction; once committed, the back end's write transactions must see it.
    /// </summary>
    private protected abstract SqlQuery RaiseFenceQuery(long token);

    /// <summary>Deletes a stream's events up to <paramref name="toSequenceNr"/> and their tag rows, in one transaction.</summary>
    private protected abstract Task DeleteEventsAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken);

    /// <summary>
    /// Commits <paramref name="batch"/> in one transaction on the writer connection, each write isolated so a
    /// rejected one fails alone. Runs only on the group-commit loop, which therefore owns the writer connection.
    /// </summary>
    /// <returns>Per write, in order: why it was rejected, or null if it is stored.</returns>
    /// <exception cref="Exception">The transaction as a whole failed: its outcome is unknown.</exception>
    private protected abstract Task<JournalRejectedException?[]> CommitAsync(IReadOnlyList<PendingWrite> batch);

    /// <summary>Closes the writer connection, if open, rolling back any transaction left on it; never throws.</summary>
    private protected abstract ValueTask CloseWriterAsync();

    /// <summary>Whether a failed commit means the database cannot be reached (rather than refusing that one transaction).</summary>
    private protected abstract bool MeansUnreachable(Exception commitFailure);

    /// <summary>Decodes the tags column of an event row.</summary>
    private protected abstract IReadOnlyList<string> ReadTags(DbDataReader reader, int ordinal);

    /// <summary>Decodes a timestamp column.</summary>
    private protected abstract DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal);

    /// <summary>The error callers get when the database failed: the outcome of what they asked is unknown.</summary>
    private protected JournalUnavailableException Unavailable(string operation, Exception e) =>
        new($"The {_storeName} could not {operation} ({_database.Connection.Explain(e)}); the outcome is unknown.", e);

    private void EnsureStarted()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_queue.IsRunning)
            throw new JournalUnavailableException($"The {_storeName} has not started yet ({Health.Detail ?? "starting"}).");
    }

    private async Task CommitBatchAsync(IReadOnlyList<PendingWrite> batch)
    {
        JournalRejectedException?[] outcomes;
        try
        {
            outcomes = await CommitAsync(batch).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await CloseWriterAsync().ConfigureAwait(false);
            if (MeansUnreachable(e))
                _health.ReportUnreachable(e, logTransition: true);
            throw Unavailable("commit", e);
        }

        _health.ReportHealthy();
        var anyStored = false;
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i] is { } rejection)
                batch[i].Fail(rejection);
            else
            {
                batch[i].Succeed();
                anyStored = true;
            }
        }

        if (anyStored)
            NotifyWritten();
    }

    private void NotifyWritten()
    {
        try
        {
            Written?.Invoke();
        }
        catch (Exception e)
        {
            Logger.LogError(e, "A Written subscriber of the {Store} threw", _storeName);
        }
    }

    /// <summary>Pages through a query ordered by offset, each page starting after the last offset of the previous one.</summary>
    private async IAsyncEnumerable<EventEnvelope> ReadAfterOffsetAsync(Func<long, SqlQuery> pageAfter, long afterOffset, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = afterOffset;
        while (true)
        {
            var page = await ReadEventsAsync(pageAfter(after), cancellationToken).ConfigureAwait(false);
            foreach (var envelope in page)
                yield return envelope;
            if (page.Count < PageSize)
                yield break;
            after = page[^1].Offset;
        }
    }

    private Task<List<EventEnvelope>> ReadEventsAsync(SqlQuery query, CancellationToken cancellationToken) =>
        QueryAsync("read events", query, ReadEnvelope, cancellationToken);

    private async Task<List<T>> QueryAsync<T>(string operation, SqlQuery query, Func<DbDataReader, T> readRow, CancellationToken cancellationToken)
    {
        try
        {
            return await _database.QueryAsync(query, readRow, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            throw Unavailable(operation, e);
        }
    }

    /// <summary>One row of <see cref="EventColumns"/>, its payload deserialized (and upcast).</summary>
    private EventEnvelope ReadEnvelope(DbDataReader reader)
    {
        var persistenceId = reader.GetString(1);
        var sequenceNr = reader.GetInt64(2);
        var payload = new SerializedPayload(reader.GetString(4), reader.GetInt32(5), reader.GetFieldValue<byte[]>(6));
        return new EventEnvelope(
            reader.GetInt64(0),
            persistenceId,
            sequenceNr,
            _serializer.Deserialize(payload, persistenceId, sequenceNr),
            ReadTags(reader, 7),
            ReadTimestamp(reader, 3));
    }
}
