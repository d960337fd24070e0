using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Autopilot.Actors.Sql.Cluster;

/// <summary>
/// A durable queue of received events in front of the singleton: any node stores a message before it answers the
/// sender, and only the current holder of the singleton lease takes messages out, fenced by its token, so nothing
/// is lost or marked handled twice across a fail-over.
/// </summary>
/// <remarks>
/// <para>
/// Enqueue is idempotent on (source, dedupe key): a redelivered webhook returns the existing entry. Entries are
/// handed out in enqueue order (the <c>ordering</c> column; two enqueues racing on different nodes have no order
/// between them).
/// </para>
/// <para>
/// The holder claims entries with its fencing token, handles them, and completes each with the same token. Claim
/// and complete lock the lease row and check that the token is its current, unexpired token (database clock), so a
/// node that lost the lease is refused with <see cref="StaleLeaseTokenException"/>. An entry claimed under an older
/// token but never completed (its leader died) is claimable again by a newer token; an entry is never returned
/// twice to the same token, and completing is exactly once. Handling itself is at-least-once across a fail-over
/// (the old leader may have acted before dying), so handlers make their effects idempotent or fence them with the
/// token (as the journal does).
/// </para>
/// <para>
/// Retention: the holder deletes entries done longer ago than a retention (<see cref="PruneAsync"/>); entries not
/// done are never deleted. Enqueue de-duplicates a (source, dedupe key) for as long as its entry is kept: a
/// redelivery after that is stored as new, and the intake's and orchestrator's own memory of recent delivery ids
/// decide whether it is handled again.
/// </para>
/// </remarks>
public sealed class DurableInbox
{
    private readonly ClusterDatabase _database;

    /// <summary>Creates the inbox drained by the holder of the lease named <paramref name="leaseName"/>.</summary>
    public DurableInbox(ClusterDatabase database, string leaseName)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        ArgumentException.ThrowIfNullOrWhiteSpace(leaseName);
        LeaseName = leaseName;
    }

    /// <summary>Name of the singleton lease whose tokens may claim entries.</summary>
    public string LeaseName { get; }

    /// <summary>Stores <paramref name="message"/> durably (committed when this returns) unless its dedupe key is known.</summary>
    /// <exception cref="ArgumentException">A field is empty or the payload is not JSON.</exception>
    /// <exception cref="ClusterUnavailableException">The database did not answer; enqueue again (it is idempotent).</exception>
    public async Task<InboxEnqueueResult> EnqueueAsync(InboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.Source, nameof(message.Source));
        ArgumentException.ThrowIfNullOrWhiteSpace(message.Kind, nameof(message.Kind));
        ArgumentException.ThrowIfNullOrWhiteSpace(message.DedupeKey, nameof(message.DedupeKey));
        EnsureJson(message.PayloadJson);

        return await _database.RunAsync("enqueue an inbox entry", async connection =>
        {
            // A racing enqueue of the same key that commits while we wait makes both halves come back empty
            // (our snapshot predates it); asking again then finds it.
            while (true)
            {
                await using var command = new NpgsqlCommand("""
                    WITH inserted AS (
                        INSERT INTO cluster_inbox (source, kind, dedupe_key, payload) VALUES ($1, $2, $3, $4)
                        ON CONFLICT (source, dedupe_key) DO NOTHING
                        RETURNING ordering)
                    SELECT ordering, false FROM inserted
                    UNION ALL
                    SELECT ordering, true FROM cluster_inbox WHERE source = $1 AND dedupe_key = $3 AND NOT EXISTS (SELECT 1 FROM inserted)
                    """, connection);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = message.Source });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = message.Kind });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = message.DedupeKey });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = message.PayloadJson, NpgsqlDbType = NpgsqlDbType.Json });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    return new InboxEnqueueResult(reader.GetInt64(0), reader.GetBoolean(1));
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> entries not yet done and not claimed under <paramref name="fencingToken"/>
    /// or a newer token, oldest first, for the holder of that token.
    /// </summary>
    /// <exception cref="StaleLeaseTokenException"><paramref name="fencingToken"/> is not the lease's current, unexpired token.</exception>
    /// <exception cref="ClusterUnavailableException">The database did not answer; the claim may have happened (claiming never returns those entries to the same token again: read them with <see cref="GetClaimedAsync"/>).</exception>
    public async Task<IReadOnlyList<InboxEntry>> ClaimAsync(long fencingToken, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        return await InLeaseAsync("claim inbox entries", fencingToken, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand("""
                UPDATE cluster_inbox i SET claimed_token = $1, claimed_at = clock_timestamp(), attempts = i.attempts + 1
                FROM (SELECT ordering FROM cluster_inbox
                      WHERE done_at IS NULL AND (claimed_token IS NULL OR claimed_token < $1)
                      ORDER BY ordering LIMIT $2 FOR UPDATE) picked
                WHERE i.ordering = picked.ordering
                RETURNING i.ordering, i.source, i.kind, i.dedupe_key, i.payload::text, i.received_at, i.attempts
                """, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fencingToken });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
            return await ReadEntriesAsync(command, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The entries claimed under <paramref name="fencingToken"/> and not done yet, oldest first: how a holder resumes
    /// after a claim whose answer was lost or a handling it could not finish, since claiming never returns them again.
    /// </summary>
    /// <exception cref="ClusterUnavailableException">The database did not answer.</exception>
    public async Task<IReadOnlyList<InboxEntry>> GetClaimedAsync(long fencingToken, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        return await _database.RunAsync("read claimed inbox entries", async connection =>
        {
            await using var command = new NpgsqlCommand("""
                SELECT ordering, source, kind, dedupe_key, payload::text, received_at, attempts FROM cluster_inbox
                WHERE done_at IS NULL AND claimed_token = $1 ORDER BY ordering LIMIT $2
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fencingToken });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
            return await ReadEntriesAsync(command, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks entry <paramref name="entryId"/>, claimed under <paramref name="fencingToken"/>, done.</summary>
    /// <param name="entryId">The entry's id.</param>
    /// <param name="fencingToken">The token it was claimed with, still current.</param>
    /// <param name="outcome">A short note of what handling did (kept for operators).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if marked done now; false if it was already done (a retry after an unknown outcome).</returns>
    /// <exception cref="StaleLeaseTokenException"><paramref name="fencingToken"/> is not the lease's current, unexpired token.</exception>
    /// <exception cref="InvalidOperationException">The entry does not exist or was not claimed under <paramref name="fencingToken"/>.</exception>
    /// <exception cref="ClusterUnavailableException">The database did not answer; complete again.</exception>
    public Task<bool> CompleteAsync(long entryId, long fencingToken, string? outcome, CancellationToken cancellationToken) =>
        InLeaseAsync($"complete inbox entry {entryId}", fencingToken, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand("""
                WITH done AS (
                    UPDATE cluster_inbox SET done_at = clock_timestamp(), done_token = $2, outcome = $3
                    WHERE ordering = $1 AND done_at IS NULL AND claimed_token = $2
                    RETURNING ordering)
                SELECT (SELECT count(*) FROM done), e.done_at IS NOT NULL, e.claimed_token
                FROM (SELECT 1) one LEFT JOIN cluster_inbox e ON e.ordering = $1
                """, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = entryId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fencingToken });
            command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = outcome, NpgsqlDbType = NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetInt64(0) == 1)
                return true;
            if (reader.IsDBNull(1))
                throw new InvalidOperationException($"Inbox entry {entryId} does not exist.");
            if (reader.GetBoolean(1))
                return false;
            var claimedBy = reader.IsDBNull(2) ? "no token" : $"token {reader.GetInt64(2)}";
            throw new InvalidOperationException($"Inbox entry {entryId} is claimed by {claimedBy}, not token {fencingToken}: claim it before completing it.");
        }, cancellationToken);

    /// <summary>
    /// Where entry <paramref name="entryId"/> stands: whether it is done and the outcome its handler recorded. The
    /// node that enqueued an operator command polls this to answer with the leader's outcome.
    /// </summary>
    /// <returns>The entry's state, or null when no entry has that id.</returns>
    /// <exception cref="ClusterUnavailableException">The database did not answer.</exception>
    public Task<InboxEntryState?> GetStateAsync(long entryId, CancellationToken cancellationToken) =>
        _database.RunAsync($"read inbox entry {entryId}", async connection =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT done_at IS NOT NULL, outcome, attempts FROM cluster_inbox WHERE ordering = $1", connection);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = entryId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                return null;
            return new InboxEntryState(entryId, reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt32(2));
        }, cancellationToken);

    /// <summary>How many entries are not done yet (backlog, for health and status).</summary>
    /// <exception cref="ClusterUnavailableException">The database did not answer.</exception>
    public Task<long> CountPendingAsync(CancellationToken cancellationToken) =>
        _database.RunAsync("count pending inbox entries", async connection =>
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM cluster_inbox WHERE done_at IS NULL", connection);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken);

    /// <summary>
    /// Deletes up to <paramref name="max"/> entries that were completed at least <paramref name="retention"/> ago
    /// (database clock), oldest completion first, as the holder of <paramref name="fencingToken"/>.
    /// </summary>
    /// <returns>How many entries were deleted; fewer than <paramref name="max"/> means none older is left.</returns>
    /// <exception cref="StaleLeaseTokenException"><paramref name="fencingToken"/> is not the lease's current, unexpired token.</exception>
    /// <exception cref="ClusterUnavailableException">The database did not answer; nothing or one whole batch was deleted.</exception>
    public Task<int> PruneAsync(long fencingToken, TimeSpan retention, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retention, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        return InLeaseAsync("prune done inbox entries", fencingToken, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand("""
                DELETE FROM cluster_inbox WHERE ordering IN (
                    SELECT ordering FROM cluster_inbox
                    WHERE done_at IS NOT NULL AND done_at <= clock_timestamp() - $1
                    ORDER BY done_at LIMIT $2)
                """, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = retention });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction that first locks the lease row (shared) and checks the token:
    /// while the lock is held nobody can acquire the lease, so the token stays current until commit.
    /// </summary>
    private Task<T> InLeaseAsync<T>(string operation, long fencingToken, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        _database.RunAsync(operation, async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var check = new NpgsqlCommand(
                             "SELECT token, expires_at > clock_timestamp() FROM cluster_lease WHERE name = $1 FOR SHARE", connection, transaction))
            {
                check.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LeaseName });
                await using var reader = await check.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                long? current = null;
                var valid = false;
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    current = reader.GetInt64(0);
                    valid = reader.GetBoolean(1);
                }

                if (current != fencingToken || !valid)
                    throw new StaleLeaseTokenException(LeaseName, fencingToken, current, valid);
            }

            var result = await work(connection, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }, cancellationToken);

    private static async Task<IReadOnlyList<InboxEntry>> ReadEntriesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var entries = new List<InboxEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            using var payload = JsonDocument.Parse(reader.GetString(4));
            entries.Add(new InboxEntry(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                payload.RootElement.Clone(), reader.GetFieldValue<DateTimeOffset>(5), reader.GetInt32(6)));
        }

        return entries.OrderBy(e => e.Id).ToArray();
    }

    private static void EnsureJson(string payloadJson)
    {
        ArgumentNullException.ThrowIfNull(payloadJson, nameof(InboxMessage.PayloadJson));
        try
        {
            using var _ = JsonDocument.Parse(payloadJson);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The inbox payload is not valid JSON: {e.Message}", nameof(InboxMessage.PayloadJson), e);
        }
    }
}
