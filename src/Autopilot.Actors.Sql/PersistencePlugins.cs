using Autopilot.Actors.Sql.Postgres;
using Autopilot.Actors.Sql.Sqlite;

namespace Autopilot.Actors.Sql;

/// <summary>
/// Picks the journal and snapshot store back end from configuration:
/// <c>autopilot.persistence.journal.plugin</c> = <c>inmem</c> | <c>sqlite</c> | <c>postgresql</c>, with the
/// connection string from <c>autopilot.persistence.journal.sqlite.connection-string</c> or
/// <c>autopilot.persistence.journal.postgresql.connection-string</c>.
/// </summary>
public static class PersistencePlugins
{
    /// <summary>HOCON key naming the back end.</summary>
    public const string PluginKey = "autopilot.persistence.journal.plugin";

    /// <summary>HOCON key of the SQLite connection string.</summary>
    public const string SqliteConnectionStringKey = "autopilot.persistence.journal.sqlite.connection-string";

    /// <summary>HOCON key of the PostgreSQL connection string.</summary>
    public const string PostgresConnectionStringKey = "autopilot.persistence.journal.postgresql.connection-string";

    /// <summary>Plugin name of the in-memory back end (tests, no durability).</summary>
    public const string InMemory = "inmem";

    /// <summary>Plugin name of the SQLite back end (single node).</summary>
    public const string Sqlite = "sqlite";

    /// <summary>Plugin name of the PostgreSQL back end (cluster).</summary>
    public const string PostgreSql = "postgresql";

    /// <summary>Creates the journal and snapshot store of <paramref name="plugin"/>; neither is started yet.</summary>
    /// <param name="plugin">Value of <see cref="PluginKey"/>.</param>
    /// <param name="connectionString">The back end's connection string (ignored by <c>inmem</c>).</param>
    /// <param name="serializer">Serializer with every event and snapshot type registered.</param>
    /// <param name="logger">Receives connectivity warnings (never secrets).</param>
    /// <param name="timeProvider">Clock for retry backoff.</param>
    /// <exception cref="PersistenceConfigurationException">Unknown plugin name, or its connection string is missing.</exception>
    public static PersistencePlugin Create(string plugin, string? connectionString, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        switch (plugin?.Trim().ToLowerInvariant())
        {
            case InMemory:
                return new PersistencePlugin(new InMemoryEventJournal(serializer), new InMemorySnapshotStore(serializer));
            case Sqlite:
            {
                var settings = new SqliteJournalSettings(Required(connectionString, SqliteConnectionStringKey));
                return new PersistencePlugin(new SqliteEventJournal(settings, serializer, logger, timeProvider), new SqliteSnapshotStore(settings, serializer, logger, timeProvider));
            }
            case PostgreSql:
            {
                var settings = new PostgresJournalSettings(Required(connectionString, PostgresConnectionStringKey));
                return new PersistencePlugin(new PostgresEventJournal(settings, serializer, logger, timeProvider), new PostgresSnapshotStore(settings, serializer, logger, timeProvider));
            }
            default:
                throw new PersistenceConfigurationException(PluginKey,
                    $"Unknown persistence plugin '{plugin}' in {PluginKey}; expected one of '{InMemory}', '{Sqlite}', '{PostgreSql}'.");
        }
    }

    private static string Required(string? connectionString, string key) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? throw new PersistenceConfigurationException(key, $"{key} must be set when {PluginKey} selects this back end.")
            : connectionString;
}
