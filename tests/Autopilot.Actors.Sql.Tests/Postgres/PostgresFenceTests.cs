using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Postgres;
using Npgsql;

namespace Autopilot.Actors.Sql.Tests.Postgres;

/// <summary>
/// The journal-wide fence across nodes: two journal instances on one database stand for two daemon processes, the
/// deposed leader and the new one.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresFenceTests(ThrowawayPostgres server) : IAsyncLifetime
{
    private readonly List<PostgresEventJournal> _journals = [];
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await server.CreateDatabaseAsync(nameof(PostgresFenceTests));

    public async Task DisposeAsync()
    {
        foreach (var journal in _journals)
            await journal.DisposeAsync();
    }

    [Fact]
    public async Task A_fence_raised_by_one_node_stops_the_deposed_node_writing_any_stream_while_untokened_writes_go_on()
    {
        var deposed = await StartNodeAsync();
        var leader = await StartNodeAsync();
        await deposed.WriteAsync(Note("alerts-outbox", 1, token: 1));

        await leader.RaiseFenceAsync(2, CancellationToken.None);

        var onOutbox = await Assert.ThrowsAsync<StaleFencingTokenException>(() => deposed.WriteAsync(Note("alerts-outbox", 2, token: 1)));
        Assert.Equal(2, onOutbox.Newest);
        await Assert.ThrowsAsync<StaleFencingTokenException>(() => deposed.WriteAsync(Note("incident-42", 1, token: 1)));
        await deposed.WriteAsync(Note("node-local", 1, token: null));

        await deposed.RaiseFenceAsync(1, CancellationToken.None);
        await Assert.ThrowsAsync<StaleFencingTokenException>(() => deposed.WriteAsync(Note("incident-42", 1, token: 1)));
        await leader.WriteAsync(Note("alerts-outbox", 2, token: 2));
        await leader.WriteAsync(Note("incident-42", 1, token: 2));

        Assert.Equal(2, await deposed.ReadHighestSequenceNrAsync("alerts-outbox"));
        Assert.Equal(1, await deposed.ReadHighestSequenceNrAsync("incident-42"));
        Assert.Equal(1, await leader.ReadHighestSequenceNrAsync("node-local"));
    }

    [Fact]
    public async Task A_raise_waits_for_a_stale_write_already_in_its_transaction_and_no_stale_write_is_stored_after_it_returns()
    {
        var deposed = await StartNodeAsync();
        var leader = await StartNodeAsync();
        await using var inFlight = new NpgsqlConnection(_connectionString);
        await inFlight.OpenAsync();
        await using var transaction = await inFlight.BeginTransactionAsync();
        // What the deposed node's writer sends for a tokened write, held open before its COMMIT.
        await using (var append = new NpgsqlCommand(
            "SELECT autopilot_append_events('outbox', 1, ARRAY[1::bigint], ARRAY[now()], ARRAY['tck.note'], ARRAY[1], ARRAY['{\"text\":\"in flight\",\"number\":1}'::bytea], ARRAY[]::bigint[], ARRAY[]::text[])",
            inFlight, transaction))
            await append.ExecuteNonQueryAsync();

        var raise = leader.RaiseFenceAsync(2, CancellationToken.None);
        await Eventually.TrueAsync(RaiseIsWaitingForALockAsync, "the raise to wait for the in-flight write's lock");
        Assert.False(raise.IsCompleted);

        await transaction.CommitAsync();
        await raise;

        Assert.Equal(1, await leader.ReadHighestSequenceNrAsync("outbox"));
        await Assert.ThrowsAsync<StaleFencingTokenException>(() => deposed.WriteAsync(Note("outbox", 2, token: 1)));
        Assert.Equal(1, await leader.ReadHighestSequenceNrAsync("outbox"));
    }

    private async Task<bool> RaiseIsWaitingForALockAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE journal_fence%'",
            connection);
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }

    private async Task<PostgresEventJournal> StartNodeAsync()
    {
        var journal = new PostgresEventJournal(new PostgresJournalSettings(_connectionString), PersistenceSpec.CreateSerializer(), NullLogger.Instance, TimeProvider.System);
        _journals.Add(journal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await journal.StartAsync(timeout.Token);
        return journal;
    }

    private static AtomicWrite Note(string persistenceId, long sequenceNr, long? token) =>
        new(persistenceId, [new PersistentEvent(persistenceId, sequenceNr, new TckNote($"note {sequenceNr}", (int)sequenceNr), [], DateTimeOffset.UnixEpoch)], token);
}
