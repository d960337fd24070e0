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
    public async Task A_raise_ends_a_stale_write_frozen_in_its_transaction_instead_of_waiting_for_it_and_the_write_never_lands()
    {
        var deposed = await StartNodeAsync();
        var leader = await StartNodeAsync();
        var inFlight = new NpgsqlConnection(_connectionString);
        await inFlight.OpenAsync();
        var transaction = await inFlight.BeginTransactionAsync();
        // What the deposed node's writer sends for a tokened write; then its process freezes before the COMMIT.
        await using (var append = new NpgsqlCommand(
            """
            SELECT * FROM autopilot_append_batch(ARRAY['outbox'], ARRAY[1::bigint], ARRAY[1::bigint], ARRAY[1::bigint],
                ARRAY[1], ARRAY[1::bigint], ARRAY[now()], ARRAY['tck.note'], ARRAY[1], ARRAY['{"text":"in flight","number":1}'::bytea],
                ARRAY[]::integer[], ARRAY[]::text[])
            """,
            inFlight, transaction))
            await append.ExecuteNonQueryAsync();

        await leader.RaiseFenceAsync(2, CancellationToken.None);

        // The frozen write's session was ended: when its process wakes, its COMMIT fails and nothing of it is stored.
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => transaction.CommitAsync());
        await inFlight.DisposeAsync();
        Assert.Equal(0, await leader.ReadHighestSequenceNrAsync("outbox"));
        await Assert.ThrowsAsync<StaleFencingTokenException>(() => deposed.WriteAsync(Note("outbox", 1, token: 1)));
        Assert.Equal(0, await leader.ReadHighestSequenceNrAsync("outbox"));
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
