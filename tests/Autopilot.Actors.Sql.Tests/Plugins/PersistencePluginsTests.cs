using Autopilot.Actors.Sql.Postgres;
using Autopilot.Actors.Sql.Sqlite;
using Autopilot.Actors.Sql.Tests.Sqlite;

namespace Autopilot.Actors.Sql.Tests.Plugins;

public sealed class PersistencePluginsTests
{
    [Fact]
    public void An_unknown_plugin_name_is_an_error_naming_the_configuration_key()
    {
        var error = Assert.Throws<PersistenceConfigurationException>(() =>
            PersistencePlugins.Create("cassandra", "x", PersistenceSpec.CreateSerializer(), NullLogger.Instance, TimeProvider.System));
        Assert.Equal("autopilot.persistence.journal.plugin", error.Key);
        Assert.Contains("autopilot.persistence.journal.plugin", error.Message);
        Assert.Contains("'cassandra'", error.Message);
    }

    [Theory]
    [InlineData("sqlite", "autopilot.persistence.journal.sqlite.connection-string")]
    [InlineData("postgresql", "autopilot.persistence.journal.postgresql.connection-string")]
    public void A_missing_connection_string_is_an_error_naming_its_key(string plugin, string key)
    {
        var error = Assert.Throws<PersistenceConfigurationException>(() =>
            PersistencePlugins.Create(plugin, " ", PersistenceSpec.CreateSerializer(), NullLogger.Instance, TimeProvider.System));
        Assert.Equal(key, error.Key);
    }

    [Fact]
    public async Task Each_plugin_name_selects_its_back_end()
    {
        var serializer = PersistenceSpec.CreateSerializer();
        await using var inMemory = PersistencePlugins.Create("inmem", null, serializer, NullLogger.Instance, TimeProvider.System);
        Assert.IsType<InMemoryEventJournal>(inMemory.Journal);
        Assert.IsType<InMemorySnapshotStore>(inMemory.SnapshotStore);

        await using var postgres = PersistencePlugins.Create("PostgreSQL", "Host=127.0.0.1;Password=pw", serializer, NullLogger.Instance, TimeProvider.System);
        Assert.IsType<PostgresEventJournal>(postgres.Journal);
        Assert.IsType<PostgresSnapshotStore>(postgres.SnapshotStore);

        await using var files = new SqliteStoreUnderTest();
        await using var sqlite = PersistencePlugins.Create("sqlite", files.Settings.ConnectionString, serializer, NullLogger.Instance, TimeProvider.System);
        Assert.IsType<SqliteEventJournal>(sqlite.Journal);
        await sqlite.StartAsync(CancellationToken.None);
        await sqlite.Journal.WriteAsync(new AtomicWrite("p", [new PersistentEvent("p", 1, new TckNote("hello", 1), [], DateTimeOffset.UnixEpoch)]));
        Assert.Equal(1, await sqlite.Journal.ReadHighestSequenceNrAsync("p"));
        Assert.Equal(JournalStatus.Healthy, sqlite.Journal.Health.Status);
    }

    [Fact]
    public void Settings_never_print_their_connection_string()
    {
        Assert.DoesNotContain("hunter2", new PostgresJournalSettings("Host=db;Password=hunter2").ToString());
        Assert.DoesNotContain("hunter2", new SqliteJournalSettings("Data Source=x.db;Password=hunter2").ToString());
    }

    [Fact]
    public void The_sqlite_journal_refuses_an_in_memory_database()
    {
        Assert.Throws<ArgumentException>(() => new SqliteEventJournal(new SqliteJournalSettings("Data Source=:memory:"), PersistenceSpec.CreateSerializer(), NullLogger.Instance, TimeProvider.System));
    }
}
