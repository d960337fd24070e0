using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Sql.Connectivity;
using Autopilot.Actors.Sql.Postgres;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Autopilot.Actors.Sql.Cluster;

/// <summary>
/// The PostgreSQL database that coordinates the cluster: membership, singleton leases and the durable inbox live in
/// three tables, and every decision that involves time is taken by the database's clock (<c>clock_timestamp()</c>)
/// inside the statement that acts on it, so a node with a wrong clock cannot steal a lease or down a live member.
/// </summary>
/// <remarks>
/// Start it once per process (<see cref="StartAsync"/>: creates the schema if missing, retrying an unreachable
/// database with capped backoff and logging each attempt without the password), then hand it to
/// <see cref="ClusterMembership"/>, <see cref="SingletonLease"/> and <see cref="DurableInbox"/>.
/// </remarks>
public sealed class ClusterDatabase : IAsyncDisposable
{
    // Reads well in the shared connectivity messages: "Cluster cannot start (attempt 2): …", "Cluster lost its database: …".
    private const string StoreName = "Cluster";

    // "apclustr" in ASCII: keeps concurrent schema creation of several starting nodes from colliding.
    private const long SchemaLockKey = 0x6170636C75737472;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS cluster_members (
            node_id            TEXT        PRIMARY KEY,
            incarnation        BIGINT      NOT NULL, -- +1 per process start of this node id
            address            TEXT        NOT NULL,
            roles              TEXT[]      NOT NULL DEFAULT '{}',
            app_version        TEXT        NOT NULL,
            status             TEXT        NOT NULL
                CHECK (status IN ('joining', 'up', 'leaving', 'exiting', 'down', 'removed')),
            status_reason      TEXT,
            joined_at          TIMESTAMPTZ NOT NULL,
            last_heartbeat     TIMESTAMPTZ NOT NULL,
            status_changed_at  TIMESTAMPTZ NOT NULL
        );
        -- One row per singleton, never deleted, so a lease's token only ever grows.
        CREATE TABLE IF NOT EXISTS cluster_lease (
            name               TEXT        PRIMARY KEY,
            owner_node         TEXT        NOT NULL,
            owner_incarnation  BIGINT      NOT NULL,
            token              BIGINT      NOT NULL,
            acquired_at        TIMESTAMPTZ NOT NULL,
            renewed_at         TIMESTAMPTZ NOT NULL,
            expires_at         TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE IF NOT EXISTS cluster_inbox (
            ordering           BIGSERIAL   PRIMARY KEY,
            source             TEXT        NOT NULL,
            kind               TEXT        NOT NULL,
            dedupe_key         TEXT        NOT NULL,
            payload            JSON        NOT NULL, -- kept as received (JSON keeps the text, JSONB would not)
            received_at        TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
            claimed_token      BIGINT,
            claimed_by         TEXT,
            claimed_at         TIMESTAMPTZ,
            attempts           INTEGER     NOT NULL DEFAULT 0,
            done_token         BIGINT,
            done_at            TIMESTAMPTZ,
            outcome            TEXT
        );
        CREATE UNIQUE INDEX IF NOT EXISTS cluster_inbox_dedupe ON cluster_inbox (source, dedupe_key);
        CREATE INDEX IF NOT EXISTS cluster_inbox_pending ON cluster_inbox (ordering) WHERE done_at IS NULL;
        -- Retention: the leader deletes entries done longer ago than autopilot.cluster.inbox.retention, oldest first.
        CREATE INDEX IF NOT EXISTS cluster_inbox_done ON cluster_inbox (done_at) WHERE done_at IS NOT NULL;
        """;

    private readonly StoreHealth _health;
    private readonly StartupRetry _startup;
    private volatile bool _started;

    /// <summary>Creates the database access; call <see cref="StartAsync"/> before using it.</summary>
    /// <exception cref="Autopilot.Actors.Configuration.ConfigurationException">The settings are inconsistent.</exception>
    public ClusterDatabase(ClusterSettings settings, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        settings.EnsureValid();
        Connection = new RedactedConnection(settings.ConnectionString, b =>
            $"PostgreSQL {RedactedConnection.Value(b, "Host") ?? "localhost"}:{RedactedConnection.Value(b, "Port") ?? "5432"}/{RedactedConnection.Value(b, "Database") ?? "(default)"}");
        var builder = new NpgsqlDataSourceBuilder(settings.ConnectionString);
        PostgresSessionOptions.Apply(builder.ConnectionStringBuilder);
        DataSource = builder.Build();
        _health = new StoreHealth(StoreName, Connection, logger);
        _startup = new StartupRetry(StoreName, _health, settings.StartupBackoff, logger, timeProvider);
    }

    /// <summary>Whether the database answered lately (start-up attempts and the membership heartbeats report here).</summary>
    public JournalHealth Health => _health.Current;

    /// <summary>Where the database is, without secrets (for logs and status pages).</summary>
    public string Description => Connection.Description;

    internal RedactedConnection Connection { get; }

    internal NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// Creates the cluster tables if missing, retrying until the database answers (each failed attempt is logged
    /// once with the reason and the next wait, and shown in <see cref="Health"/>).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the database answered.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _startup.RunAsync(EnsureSchemaAsync, cancellationToken).ConfigureAwait(false);
        _started = true;
    }

    /// <summary>Opens a pooled connection, failing with <see cref="ClusterUnavailableException"/> if not started or unreachable.</summary>
    internal async Task<NpgsqlConnection> OpenAsync(string operation, CancellationToken cancellationToken)
    {
        if (!_started)
            throw new ClusterUnavailableException($"The cluster database is not started yet, so it cannot {operation} ({Health.Detail ?? "starting"}).");
        try
        {
            return await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectivityFailure(e, cancellationToken))
        {
            throw Unavailable(operation, e);
        }
    }

    /// <summary>Runs <paramref name="work"/> on a fresh connection, mapping connectivity failures to <see cref="ClusterUnavailableException"/>.</summary>
    internal async Task<T> RunAsync<T>(string operation, Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(operation, cancellationToken).ConfigureAwait(false);
        try
        {
            return await work(connection).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectivityFailure(e, cancellationToken))
        {
            throw Unavailable(operation, e);
        }
    }

    /// <summary>Records whether a background loop reached the database (logs only on changes).</summary>
    internal void ReportReachable() => _health.ReportHealthy();

    /// <inheritdoc cref="ReportReachable"/>
    internal void ReportUnreachable(Exception error) => _health.ReportUnreachable(error, logTransition: true);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    private ClusterUnavailableException Unavailable(string operation, Exception e) =>
        new($"The cluster database could not {operation} ({Connection.Explain(e)}); the outcome is unknown.", e);

    // Server-side rejections (constraint violations, syntax) are bugs or bad input and keep their own type.
    private static bool IsConnectivityFailure(Exception e, CancellationToken cancellationToken) =>
        e is NpgsqlException { IsTransient: true } or IOException or TimeoutException
        || (e is NpgsqlException and not PostgresException)
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLockKey})", connection, transaction))
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using (var schemaCommand = new NpgsqlCommand(Schema, connection, transaction))
            await schemaCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
