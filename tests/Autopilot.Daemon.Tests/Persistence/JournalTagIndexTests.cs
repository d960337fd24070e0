using System.Data.Common;
using System.Net;
using Autopilot.Daemon.Persistence;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Testing.PostgreSql;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Autopilot.Daemon.Tests.Persistence;

/// <summary>
/// The journal writes tags only to its CSV column; the daemon's own tag index (kept by triggers) answers where the
/// newest events of a tag start. On both real journals it must hold exactly the column's tags: for events journaled
/// before it existed (filled when created), after (the insert trigger) and none of a deleted event (the delete trigger).
/// </summary>
[Collection(DaemonPostgresCollection.Name)]
public sealed class JournalTagIndexTests(ThrowawayPostgres server)
{
    [Theory]
    [MemberData(nameof(JournalBackendTests.Journals), MemberType = typeof(JournalBackendTests))]
    public async Task The_tag_index_holds_the_tags_of_events_written_before_and_after_it_existed_and_forgets_deleted_events(string plugin)
    {
        var postgres = plugin == "postgresql" ? await server.CreateDatabaseAsync("daemon_tag_index") : null;
        var hocon = JournalBackendTests.JournalHocon(postgres);
        var dataDir = Directory.CreateTempSubdirectory("autopilot-tag-index-test").FullName;
        DbConnection Connect() => postgres is null
            ? new SqliteConnection($"Data Source={Path.Combine(dataDir, "autopilot.db")};Pooling=False")
            : new NpgsqlConnection(postgres);
        try
        {
            await using (var first = await TestDaemon.StartAsync(extraHocon: hocon, dataDir: dataDir))
            {
                await DeliverAsync(first, "before-1");
                await DeliverAsync(first, "before-2");
                Assert.Equal(HttpStatusCode.OK, (await first.SendAsync(HttpMethod.Post, "/api/pause", TestDaemon.OperatorToken)).StatusCode);
                await Poll.UntilAsync(() => first.Runtime.Database.SchemaUpgraded, "the schema upgrade");
            }

            // As a journal from before the index: the events above are in the column only.
            await ExecuteAsync(Connect, postgres is null
                ? $"DROP TRIGGER {JournalDatabase.TagIndexTable}_insert; DROP TRIGGER {JournalDatabase.TagIndexTable}_delete; DROP TABLE {JournalDatabase.TagIndexTable};"
                : $"DROP TRIGGER {JournalDatabase.TagIndexTable}_insert ON journal; DROP TRIGGER {JournalDatabase.TagIndexTable}_delete ON journal; DROP TABLE {JournalDatabase.TagIndexTable};");

            await using var second = await TestDaemon.StartAsync(extraHocon: hocon, dataDir: dataDir);
            var database = second.Runtime.Database;
            await Poll.UntilAsync(() => database.SchemaUpgraded, "the schema upgrade");
            var filled = await TagsAsync(Connect);
            Assert.Equal(filled.InColumn, filled.Indexed);
            Assert.Contains(filled.Indexed, t => t.Tag == "delivery");
            Assert.Contains(filled.Indexed, t => t.Tag == "audit");

            await DeliverAsync(second, "after-1");
            Assert.Equal(HttpStatusCode.OK, (await second.SendAsync(HttpMethod.Post, "/api/resume", TestDaemon.OperatorToken)).StatusCode);
            var written = await TagsAsync(Connect);
            Assert.Equal(written.InColumn, written.Indexed);
            Assert.Equal(3, written.Indexed.Count(t => t.Tag == "delivery"));

            // The newest-first reads answer from it.
            var deliveries = written.InColumn.Where(t => t.Tag == "delivery").Select(t => t.Ordering).OrderDescending().ToArray();
            Assert.Equal(deliveries[0], await database.NewestOffsetAsync("delivery", CancellationToken.None));
            Assert.Equal(deliveries[1] - 1, await database.OffsetBeforeNewestAsync("delivery", 2, CancellationToken.None));
            Assert.Equal(0, await database.OffsetBeforeNewestAsync("delivery", 4, CancellationToken.None));

            await ExecuteAsync(Connect, $"DELETE FROM journal WHERE ordering = {deliveries[0]}");
            var deleted = await TagsAsync(Connect);
            Assert.Equal(deleted.InColumn, deleted.Indexed);
            Assert.Equal(deliveries[1], await database.NewestOffsetAsync("delivery", CancellationToken.None));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task DeliverAsync(TestDaemon daemon, string id)
    {
        using var request = JournalBackendTests.Delivery(id, """{"ref":"refs/heads/main","after":"f00d"}""");
        Assert.Equal(HttpStatusCode.Accepted, (await daemon.Client.SendAsync(request)).StatusCode);
    }

    private static async Task ExecuteAsync(Func<DbConnection> connect, string sql)
    {
        await using var connection = connect();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The (tag, ordering) pairs of the journal's CSV column, and those of the index, both sorted.</summary>
    private static async Task<(List<(string Tag, long Ordering)> InColumn, List<(string Tag, long Ordering)> Indexed)> TagsAsync(Func<DbConnection> connect)
    {
        await using var connection = connect();
        await connection.OpenAsync();
        var inColumn = new List<(string, long)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT ordering, tags FROM journal WHERE tags IS NOT NULL";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var ordering = Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
                inColumn.AddRange(reader.GetString(1).Split(';', StringSplitOptions.RemoveEmptyEntries).Select(tag => (tag, ordering)));
            }
        }

        var indexed = new List<(string, long)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT tag, ordering FROM {JournalDatabase.TagIndexTable}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                indexed.Add((reader.GetString(0), Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        inColumn.Sort();
        indexed.Sort();
        return (inColumn, indexed);
    }
}
