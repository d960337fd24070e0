using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Postgres;
using Npgsql;

namespace Autopilot.Actors.Sql.Tests.Postgres;

/// <summary>
/// Why a tag tail never skips on PostgreSQL although commits overlap: a read stops before the offsets of a
/// transaction still in flight, even when later offsets have already committed. The in-flight transaction is held
/// open by the test, so the interleaving is certain rather than hoped for.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTagTailTests(ThrowawayPostgres server) : IAsyncLifetime
{
    private string _connectionString = "";
    private PostgresEventJournal? _journal;

    private PostgresEventJournal Journal => _journal ?? throw new InvalidOperationException("Not initialized.");

    public async Task InitializeAsync()
    {
        _connectionString = await server.CreateDatabaseAsync(nameof(PostgresTagTailTests));
        _journal = new PostgresEventJournal(new PostgresJournalSettings(_connectionString), PersistenceSpec.CreateSerializer(), NullLogger.Instance, TimeProvider.System);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _journal.StartAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_journal is not null)
            await _journal.DisposeAsync();
    }

    [Fact]
    public async Task A_read_stops_before_an_uncommitted_smaller_offset_and_resuming_after_it_misses_nothing()
    {
        await Journal.WriteAsync(Tagged("first", 1));
        await using var slow = new NpgsqlConnection(_connectionString);
        await slow.OpenAsync();
        await using var slowTransaction = await slow.BeginTransactionAsync();
        // What another node's writer sends: its offsets are taken now, its commit comes later.
        await using (var append = new NpgsqlCommand(
            """
            SELECT * FROM autopilot_append_batch(ARRAY['slow'], ARRAY[NULL::bigint], ARRAY[1::bigint], ARRAY[1::bigint],
                ARRAY[1], ARRAY[1::bigint], ARRAY[now()], ARRAY['tck.note'], ARRAY[1], ARRAY['{"text":"slow","number":1}'::bytea],
                ARRAY[1], ARRAY['t'])
            """,
            slow, slowTransaction))
            await append.ExecuteNonQueryAsync();
        await Journal.WriteAsync(Tagged("later", 1));

        var beforeCommit = await ToListAsync(Journal.CurrentEventsByTagAsync("t", 0));
        Assert.Equal(["first"], beforeCommit.Select(e => e.PersistenceId));
        Assert.Equal(["first"], (await ToListAsync(Journal.CurrentAllEventsAsync(0))).Select(e => e.PersistenceId));
        Assert.Equal(1, await Journal.ReadHighestSequenceNrAsync("later"));

        await slowTransaction.CommitAsync();

        var resumed = await ToListAsync(Journal.CurrentEventsByTagAsync("t", beforeCommit[^1].Offset));
        Assert.Equal(["slow", "later"], resumed.Select(e => e.PersistenceId));
        Assert.True(beforeCommit[^1].Offset < resumed[0].Offset && resumed[0].Offset < resumed[1].Offset, "offsets increase in the order the reads delivered them");
    }

    [Fact]
    public async Task An_aborted_transaction_leaves_no_lasting_stop()
    {
        await Journal.WriteAsync(Tagged("first", 1));
        await using (var aborted = new NpgsqlConnection(_connectionString))
        {
            await aborted.OpenAsync();
            await using var transaction = await aborted.BeginTransactionAsync();
            await using (var append = new NpgsqlCommand(
                """
                SELECT * FROM autopilot_append_batch(ARRAY['aborted'], ARRAY[NULL::bigint], ARRAY[1::bigint], ARRAY[1::bigint],
                    ARRAY[1], ARRAY[1::bigint], ARRAY[now()], ARRAY['tck.note'], ARRAY[1], ARRAY['{"text":"gone","number":1}'::bytea],
                    ARRAY[1], ARRAY['t'])
                """,
                aborted, transaction))
                await append.ExecuteNonQueryAsync();
            await transaction.RollbackAsync();
        }

        await Journal.WriteAsync(Tagged("later", 1));

        Assert.Equal(["first", "later"], (await ToListAsync(Journal.CurrentEventsByTagAsync("t", 0))).Select(e => e.PersistenceId));
    }

    private static AtomicWrite Tagged(string persistenceId, long sequenceNr) =>
        new(persistenceId, [new PersistentEvent(persistenceId, sequenceNr, new TckNote(persistenceId, (int)sequenceNr), ["t"], DateTimeOffset.UnixEpoch)]);

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
            list.Add(item);
        return list;
    }
}
