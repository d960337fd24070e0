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
    /// Keys of the journal's own advisory locks: the ASCII of "autopilt" and its successors, far above any offset, to
    /// stay clear of the in-flight markers (keyed by offsets) and of lock keys other applications pick.
    /// </summary>
    private const long SchemaLockKey = 0x6175746F70696C74;

    /// <summary>Held shared by write transactions that carry a fencing token, exclusively by a fence raise.</summary>
    private const long FenceLockKey = SchemaLockKey + 1;

    /// <summary>
    /// In-flight markers are advisory locks keyed by an offset; offsets stay below this bound (2^62). Another
    /// application taking single-key advisory locks below it in the same database would hold live tails back while
    /// it holds them (never make them skip).
    /// </summary>
    private const long MarkerKeyBound = 1L << 62;

    private static readonly string Schema = $$"""
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
        DROP FUNCTION IF EXISTS autopilot_append_events(TEXT, BIGINT, BIGINT[], TIMESTAMPTZ[], TEXT[], INTEGER[], BYTEA[], BIGINT[], TEXT[]);

        -- Stores a group commit's atomic writes in one call (one round trip, a handful of statements whatever the
        -- number of writes). Each write is checked, in call order, against its stream as stored plus the writes of
        -- this batch accepted before it; a rejected write stores nothing and is returned with the stream state it
        -- was judged against (highest sequence number, newest token including the journal-wide fence), so the
        -- journal can name the reason. Writes are given per write (p_pids .. p_highest), events per event
        -- (p_event_writes holds each event's write, 1-based), tags as (event, tag) pairs.
        -- Fence: a batch with tokens holds the fence lock shared until it commits and reads the fence after taking
        -- it; a raise takes it exclusively. So a raise waits for stale writes in flight, and no write that starts
        -- after a raise returned misses it.
        -- Offsets: before taking its offsets the batch reads the sequence's next value and takes an in-flight marker
        -- keyed by it (a transaction-level advisory lock, released when the transaction commits or aborts), so every
        -- offset of a transaction in flight lies at or above its marker. That is what lets readers stop before an
        -- offset that may still become visible (autopilot_settled_below). It relies on the sequence handing out
        -- values in order without per-session caching (CACHE 1, the default of BIGSERIAL).
        CREATE OR REPLACE FUNCTION autopilot_append_batch(
            p_pids           TEXT[],
            p_tokens         BIGINT[],
            p_lowest         BIGINT[],
            p_highest        BIGINT[],
            p_event_writes   INTEGER[],
            p_sequence_nrs   BIGINT[],
            p_written_at     TIMESTAMPTZ[],
            p_manifests      TEXT[],
            p_versions       INTEGER[],
            p_payloads       BYTEA[],
            p_tag_events     INTEGER[],
            p_tags           TEXT[])
        RETURNS TABLE (write_index INTEGER, stream_highest BIGINT, stream_token BIGINT) LANGUAGE plpgsql AS $fn$
        DECLARE
            v_fence     BIGINT;
            v_streams   TEXT[];
            v_highest   BIGINT[];
            v_token     BIGINT[];
            v_accepted  BOOLEAN[] := array_fill(false, ARRAY[cardinality(p_pids)]);
            v_newest    BIGINT;
            k           INTEGER;
        BEGIN
            IF cardinality(array_remove(p_tokens, NULL)) > 0 THEN
                PERFORM pg_advisory_xact_lock_shared({{FenceLockKey}});
                SELECT f.token INTO v_fence FROM journal_fence f;
            END IF;
            SELECT COALESCE(array_agg(m.persistence_id), '{}'), COALESCE(array_agg(m.highest_sequence_nr), '{}'), COALESCE(array_agg(m.fencing_token), '{}')
            INTO v_streams, v_highest, v_token
            FROM journal_metadata m WHERE m.persistence_id = ANY (p_pids);
            FOR i IN 1 .. cardinality(p_pids) LOOP
                k := array_position(v_streams, p_pids[i]);
                IF k IS NULL THEN
                    v_streams := v_streams || p_pids[i];
                    v_highest := v_highest || 0::BIGINT;
                    v_token := v_token || NULL::BIGINT;
                    k := cardinality(v_streams);
                END IF;
                v_newest := GREATEST(v_token[k], v_fence);
                IF (p_tokens[i] IS NOT NULL AND p_tokens[i] < v_newest) OR p_lowest[i] <> v_highest[k] + 1 THEN
                    write_index := i;
                    stream_highest := v_highest[k];
                    stream_token := v_newest;
                    RETURN NEXT;
                ELSE
                    v_accepted[i] := true;
                    v_highest[k] := p_highest[i];
                    v_token[k] := GREATEST(v_token[k], p_tokens[i]);
                END IF;
            END LOOP;
            IF NOT (true = ANY (v_accepted)) THEN
                RETURN;
            END IF;

            -- The in-flight marker first, then the offsets (the column's default, taken in event order by the insert).
            PERFORM pg_advisory_xact_lock_shared(CASE WHEN q.is_called THEN q.last_value + 1 ELSE q.last_value END)
            FROM event_journal_ordering_seq q;
            WITH inserted AS (
                INSERT INTO event_journal (persistence_id, sequence_nr, written_at, manifest, schema_version, payload, tags)
                SELECT p_pids[u.w], u.seq, u.at, u.manifest, u.version, u.payload, COALESCE(g.tags, '{}')
                FROM unnest(p_event_writes, p_sequence_nrs, p_written_at, p_manifests, p_versions, p_payloads)
                         WITH ORDINALITY AS u(w, seq, at, manifest, version, payload, ev)
                LEFT JOIN (SELECT t.ev, array_agg(t.tag) AS tags FROM unnest(p_tag_events, p_tags) AS t(ev, tag) GROUP BY t.ev) g
                       ON g.ev = u.ev
                WHERE v_accepted[u.w]
                ORDER BY u.ev
                RETURNING ordering, tags)
            INSERT INTO event_tag (tag, ordering) SELECT unnest(i.tags), i.ordering FROM inserted i;
            INSERT INTO journal_metadata AS m (persistence_id, highest_sequence_nr, fencing_token)
            SELECT s.pid, s.highest, s.token
            FROM unnest(v_streams, v_highest, v_token) AS s(pid, highest, token)
            WHERE s.pid = ANY (SELECT p_pids[i] FROM generate_subscripts(p_pids, 1) AS i WHERE v_accepted[i])
            ON CONFLICT (persistence_id) DO UPDATE
                SET highest_sequence_nr = EXCLUDED.highest_sequence_nr, fencing_token = GREATEST(m.fencing_token, EXCLUDED.fencing_token);
        END
        $fn$;

        -- Raises the journal-wide fence (never lowers it); see autopilot_append_batch for the locking. A tokened write
        -- holds the fence lock shared until it commits, and every such holder at a raise belongs to an older leader
        -- (a new leader raises before it writes). One frozen mid-write (SIGSTOP, a long pause) would hold the lock for as
        -- long as its connection lives, so a raise that moves the fence up ends those sessions: their transactions
        -- abort, nothing stale lands, and the fail-over does not wait on them.
        CREATE OR REPLACE FUNCTION autopilot_raise_fence(p_token BIGINT) RETURNS void LANGUAGE plpgsql AS $fn$
        BEGIN
            IF p_token > (SELECT coalesce(token, 0) FROM journal_fence) THEN
                PERFORM pg_terminate_backend(l.pid) FROM pg_locks l
                WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted AND l.mode = 'ShareLock'
                  AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
                  AND ((l.classid::BIGINT << 32) | l.objid::BIGINT) = {{FenceLockKey}}
                  AND l.pid <> pg_backend_pid();
            END IF;
            PERFORM pg_advisory_xact_lock({{FenceLockKey}});
            UPDATE journal_fence SET token = GREATEST(token, p_token);
        END
        $fn$;

        -- The settled horizon: every offset below it belongs to a transaction that has committed (and is visible to
        -- any snapshot taken after this returns) or aborted; nothing below it can appear later. It is the lowest
        -- in-flight marker, or the sequence's next value when none is in flight. The next value is read before the
        -- markers: a batch whose marker is not seen yet takes its offsets afterwards, so at or above that value.
        CREATE OR REPLACE FUNCTION autopilot_settled_below() RETURNS BIGINT LANGUAGE plpgsql AS $fn$
        DECLARE
            v_next    BIGINT;
            v_marker  BIGINT;
        BEGIN
            SELECT CASE WHEN q.is_called THEN q.last_value + 1 ELSE q.last_value END INTO v_next FROM event_journal_ordering_seq q;
            SELECT min((l.classid::BIGINT << 32) | l.objid::BIGINT) INTO v_marker FROM pg_locks l
            WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
              AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
              AND ((l.classid::BIGINT << 32) | l.objid::BIGINT) < {{MarkerKeyBound}};
            RETURN LEAST(v_next, v_marker);
        END
        $fn$;

        -- Pages of EventsByTag and AllEvents that stop before the settled horizon, so a live tail resuming after the
        -- last offset it delivered never skips an event that commits later with a smaller offset. The horizon is read
        -- before the query's snapshot is taken (each statement of a function takes its own).
        CREATE OR REPLACE FUNCTION autopilot_events_by_tag(p_tag TEXT, p_after BIGINT, p_limit INTEGER) RETURNS SETOF event_journal LANGUAGE plpgsql AS $fn$
        DECLARE
            v_below BIGINT := autopilot_settled_below();
        BEGIN
            RETURN QUERY
                SELECT e.* FROM event_tag t JOIN event_journal e ON e.ordering = t.ordering
                WHERE t.tag = p_tag AND t.ordering > p_after AND t.ordering < v_below
                ORDER BY t.ordering LIMIT p_limit;
        END
        $fn$;
        CREATE OR REPLACE FUNCTION autopilot_all_events(p_after BIGINT, p_limit INTEGER) RETURNS SETOF event_journal LANGUAGE plpgsql AS $fn$
        DECLARE
            v_below BIGINT := autopilot_settled_below();
        BEGIN
            RETURN QUERY
                SELECT e.* FROM event_journal e WHERE e.ordering > p_after AND e.ordering < v_below ORDER BY e.ordering LIMIT p_limit;
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
        PostgresSessionOptions.Apply(builder.ConnectionStringBuilder);
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
