using Autopilot.Actors.Sql.Connectivity;
using Autopilot.Actors.Sql.Database;

namespace Autopilot.Actors.Sql.Snapshots;

/// <summary>
/// What the SQL snapshot stores have in common, so it is written once: start-up with retries, argument checks,
/// (de)serialization, and turning database failures into <see cref="JournalUnavailableException"/> free of
/// secrets. A back end supplies its SQL and how it decodes a timestamp. Snapshots are rare, so each statement is its
/// own transaction rather than going through a group commit.
/// </summary>
public abstract class SqlSnapshotStore : ISnapshotStore
{
    private readonly string _storeName;
    private readonly SqlDatabase _database;
    private readonly EventSerializer _serializer;
    private readonly StartupRetry _startup;

    /// <param name="storeName">How messages and logs name this store, e.g. "SQLite snapshot store".</param>
    /// <param name="database">The back end's database; disposed with the store.</param>
    /// <param name="settings">Start-up backoff.</param>
    /// <param name="serializer">Serializer of snapshots.</param>
    /// <param name="logger">Receives start-up warnings (never secrets).</param>
    /// <param name="timeProvider">Clock for start-up backoff.</param>
    private protected SqlSnapshotStore(string storeName, SqlDatabase database, SqlStoreSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
    {
        _storeName = storeName;
        _database = database;
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        var health = new StoreHealth(storeName, database.Connection, logger);
        _startup = new StartupRetry(storeName, health, settings.StartupBackoff, logger, timeProvider);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => _startup.RunAsync(_database.EnsureSchemaAsync, cancellationToken);

    /// <inheritdoc />
    public async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var payload = _serializer.Serialize(snapshot);
        try
        {
            await _database.ExecuteAsync(SaveQuery(metadata, payload), cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            throw Unavailable("save a snapshot", e);
        }
    }

    /// <inheritdoc />
    public async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        List<(SnapshotMetadata Metadata, SerializedPayload Payload)> rows;
        try
        {
            rows = await _database.QueryAsync(
                LatestQuery(persistenceId, criteria),
                r => (new SnapshotMetadata(persistenceId, r.GetInt64(0), ReadTimestamp(r, 1)), new SerializedPayload(r.GetString(2), r.GetInt32(3), r.GetFieldValue<byte[]>(4))),
                cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            throw Unavailable("load a snapshot", e);
        }

        if (rows.Count == 0)
            return null;
        var (metadata, payload) = rows[0];
        return new SelectedSnapshot(metadata, _serializer.Deserialize(payload, persistenceId, metadata.SequenceNr));
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        try
        {
            await _database.ExecuteAsync(DeleteQuery(persistenceId, criteria), cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            throw Unavailable("delete snapshots", e);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <summary>Stores a snapshot, replacing one already stored at the same sequence number.</summary>
    private protected abstract SqlQuery SaveQuery(SnapshotMetadata metadata, SerializedPayload payload);

    /// <summary>
    /// The newest snapshot matching <paramref name="criteria"/>, if any, as columns sequence_nr, created_at,
    /// manifest, schema_version, payload.
    /// </summary>
    private protected abstract SqlQuery LatestQuery(string persistenceId, SnapshotSelectionCriteria criteria);

    /// <summary>Deletes every snapshot matching <paramref name="criteria"/>.</summary>
    private protected abstract SqlQuery DeleteQuery(string persistenceId, SnapshotSelectionCriteria criteria);

    /// <summary>Decodes the created_at column.</summary>
    private protected abstract DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal);

    private JournalUnavailableException Unavailable(string operation, Exception e) =>
        new($"The {_storeName} could not {operation} ({_database.Connection.Explain(e)}).", e);
}
