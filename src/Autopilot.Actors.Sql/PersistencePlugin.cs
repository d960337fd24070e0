namespace Autopilot.Actors.Sql;

/// <summary>A journal and the snapshot store that goes with it (same back end, same database).</summary>
public sealed record PersistencePlugin(IEventJournal Journal, ISnapshotStore SnapshotStore) : IAsyncDisposable
{
    /// <summary>Starts both (schema creation, retrying an unreachable database until cancelled).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Journal.StartAsync(cancellationToken).ConfigureAwait(false);
        await SnapshotStore.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Journal.DisposeAsync().ConfigureAwait(false);
        await SnapshotStore.DisposeAsync().ConfigureAwait(false);
    }
}
