using Autopilot.Actors.Sql.Connectivity;
using Autopilot.Actors.Sql.Database;
using Npgsql;

namespace Autopilot.Actors.Sql.Postgres;

/// <summary>
/// The PostgreSQL database shared by the journal and the snapshot store: a data source whose sessions always run
/// with <c>synchronous_commit = on</c> (a commit returns after its WAL is flushed), and the schema.
/// </summary>
internal sealed class PostgresDatabase : SqlDatabase
{
    /// <summary>
    /// Advisory lock taken by every journal write transaction (see <see cref="PostgresEventJournal"/>): the ASCII of
    /// "autopilt", to stay clear of lock keys other applications pick.
    /// </summary>
    public const long JournalWriteLockKey = 0x6175746F70696C74;

    private const long SchemaLockKey = JournalWriteLockKey + 1;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS event_journal (
            ordering        BIGSERIAL   PRIMARY KEY,
            persistence_id  TEXT        NOT NULL,
            sequence_nr     BIGINT      NOT NULL,
            written_at      TIMESTAMPTZ NOT NULL,
            manifest        TEXT        NOT NULL,
            schema_version  INTEGER     NOT NULL,
            payload         BYTEA       NOT NULL, -- UTF-8 JSON exactly as serialized
            tags            TEXT[]      NOT NULL DEFAULT '{}',
            CONSTRAINT event_journal_stream_position UNIQUE (persistence_id, sequence_nr)
        );
        -- One row per (tag, event): EventsByTag is a range scan of the primary key in global order.
        CREATE TABLE IF NOT EXISTS event_tag (
            tag       TEXT   NOT NULL,
            ordering  BIGINT NOT NULL,
            PRIMARY KEY (tag, ordering)
        );
        -- Survives deletes: the highest sequence number ever written and the newest fencing token per stream.
        CREATE TABLE IF NOT EXISTS journal_metadata (
            persistence_id       TEXT   PRIMARY KEY,
            highest_sequence_nr  BIGINT NOT NULL,
            fencing_token        BIGINT
        );
        -- The journal-wide fence (IEventJournal.RaiseFenceAsync): one row shared by every node, NULL until first raised.
        CREATE TABLE IF NOT EXISTS journal_fence (
            id     BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
            token  BIGINT
        );
        INSERT INTO journal_fence (id, token) VALUES (true, NULL) ON CONFLICT (id) DO NOTHING;
        CREATE TABLE IF NOT EXISTS snapshot_store (
            persistence_id  TEXT        NOT NULL,
            sequence_nr     BIGINT      NOT NULL,
            created_at      TIMESTAMPTZ NOT NULL,
            manifest        TEXT        NOT NULL,
            schema_version  INTEGER     NOT NULL,
            payload         BYTEA       NOT NULL,
            PRIMARY KEY (persistence_id, sequence_nr)
        );
        -- Stores one atomic write after checking it against the stream's metadata, all server-side so a group
        -- commit needs one round trip. Rejections raise their own SQLSTATEs, which the journal maps to typed errors:
        --   AP001 stale fencing token (DETAIL: newest token), AP002 sequence number taken, AP003 gap (DETAIL: highest).
        -- A write with a token reads the journal-wide fence FOR SHARE: a raise (an UPDATE of that row) waits for such
        -- a write to commit and such a write waits for a raise, so no stale write is stored after a raise returned.
        CREATE OR REPLACE FUNCTION autopilot_append_events(
            p_persistence_id   TEXT,
            p_fencing_token    BIGINT,
            p_sequence_nrs     BIGINT[],
            p_written_at       TIMESTAMPTZ[],
            p_manifests        TEXT[],
            p_versions         INTEGER[],
            p_payloads         BYTEA[],
            p_tag_sequence_nrs BIGINT[],
            p_tags             TEXT[]) RETURNS void LANGUAGE plpgsql AS $fn$
        DECLARE
            v_highest BIGINT;
            v_token   BIGINT;
            v_fence   BIGINT;
            v_lowest  BIGINT := p_sequence_nrs[1];
        BEGIN
            SELECT highest_sequence_nr, fencing_token INTO v_highest, v_token
            FROM journal_metadata WHERE persistence_id = p_persistence_id;
            v_highest := COALESCE(v_highest, 0);
            IF p_fencing_token IS NOT NULL THEN
                SELECT token INTO v_fence FROM journal_fence FOR SHARE;
                v_token := GREATEST(v_token, v_fence);
                IF p_fencing_token < v_token THEN
                    RAISE EXCEPTION 'stale fencing token % for %, newest is %', p_fencing_token, p_persistence_id, v_token
                        USING ERRCODE = 'AP001', DETAIL = v_token::text;
                END IF;
            END IF;
            IF v_lowest <= v_highest THEN
                RAISE EXCEPTION 'sequence number % of % is already stored', v_lowest, p_persistence_id USING ERRCODE = 'AP002';
            END IF;
            IF v_lowest > v_highest + 1 THEN
                RAISE EXCEPTION 'sequence number % of % would leave a gap after %', v_lowest, p_persistence_id, v_highest
                    USING ERRCODE = 'AP003', DETAIL = v_highest::text;
            END IF;
            INSERT INTO journal_metadata AS m (persistence_id, highest_sequence_nr, fencing_token)
            VALUES (p_persistence_id, p_sequence_nrs[array_length(p_sequence_nrs, 1)], p_fencing_token)
            ON CONFLICT (persistence_id) DO UPDATE
                SET highest_sequence_nr = EXCLUDED.highest_sequence_nr,
                    fencing_token = GREATEST(m.fencing_token, EXCLUDED.fencing_token);
            WITH inserted AS (
                INSERT INTO event_journal (persistence_id, sequence_nr, written_at, manifest, schema_version, payload, tags)
                SELECT p_persistence_id, u.seq, u.at, u.manifest, u.version, u.payload,
                       ARRAY(SELECT DISTINCT t.tag FROM unnest(p_tag_sequence_nrs, p_tags) AS t(seq, tag) WHERE t.seq = u.seq)
                FROM unnest(p_sequence_nrs, p_written_at, p_manifests, p_versions, p_payloads) AS u(seq, at, manifest, version, payload)
                ORDER BY u.seq
                RETURNING ordering, tags)
            INSERT INTO event_tag (tag, ordering) SELECT unnest(i.tags), i.ordering FROM inserted i;
        END
        $fn$;
        """;

    /// <summary>The database <paramref name="settings"/> point at; checks them first.</summary>
    public PostgresDatabase(PostgresJournalSettings settings)
        : this((settings ?? throw new ArgumentNullException(nameof(settings))).ConnectionString)
    {
    }

    private PostgresDatabase(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        Connection = new RedactedConnection(connectionString, b =>
            $"PostgreSQL {RedactedConnection.Value(b, "Host") ?? "localhost"}:{RedactedConnection.Value(b, "Port") ?? "5432"}/{RedactedConnection.Value(b, "Database") ?? "(default)"}");
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.Options = $"{builder.ConnectionStringBuilder.Options} -c synchronous_commit=on".Trim();
        // The journal reads the DETAIL of its own rejection errors (newest fencing token); it holds no secrets.
        builder.ConnectionStringBuilder.IncludeErrorDetail = true;
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
        DataSource = builder.Build();
    }

    /// <inheritdoc />
    public override RedactedConnection Connection { get; }

    /// <summary>The pooled data source; the journal's writer takes its connection from here too.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>Creates tables and function if missing; an advisory lock keeps concurrent starts from colliding.</summary>
    public override async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLockKey})", connection, transaction))
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using (var schemaCommand = new NpgsqlCommand(Schema, connection, transaction))
            await schemaCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync() => DataSource.DisposeAsync();

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
}
