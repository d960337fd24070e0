using Npgsql;

namespace Autopilot.Actors.Sql.Cluster;

/// <summary>
/// The lease that makes one node the holder of a named singleton (e.g. the orchestrator). Each operation is one
/// atomic statement judged by the database's clock, so contenders with skewed clocks cannot both win.
/// </summary>
/// <remarks>
/// <para>
/// Acquire succeeds only if the lease is free (never taken, released, or expired) and the node is Up; every
/// acquisition increases the fencing token by one (the row is never deleted, so a token is never reused). Renew
/// succeeds only for the owner presenting the current token before expiry; release sets the expiry to now so a
/// standby takes over at once.
/// </para>
/// <para>
/// Most code uses <see cref="SingletonLeaseKeeper"/>, which renews in a loop and tells when the lease is won or
/// lost; this type is the single source of truth those decisions come from.
/// </para>
/// </remarks>
public sealed class SingletonLease
{
    /// <summary>Columns of a <see cref="LeaseView"/>, in the order <see cref="ReadView"/> reads them.</summary>
    internal const string ViewSql =
        "SELECT name, owner_node, owner_incarnation, token, expires_at > clock_timestamp(), GREATEST(expires_at - clock_timestamp(), interval '0') FROM cluster_lease";

    private readonly ClusterDatabase _database;

    /// <summary>Creates access to the lease <paramref name="name"/>, valid for <paramref name="duration"/> per acquisition or renewal.</summary>
    public SingletonLease(ClusterDatabase database, string name, TimeSpan duration)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (duration <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A lease must last a positive duration.");
        Name = name;
        Duration = duration;
    }

    /// <summary>The singleton's name, e.g. <c>orchestrator</c>.</summary>
    public string Name { get; }

    /// <summary>How long an acquisition or renewal keeps the lease without renewal.</summary>
    public TimeSpan Duration { get; }

    /// <summary>
    /// Takes the lease for <paramref name="nodeId"/>/<paramref name="incarnation"/> if it is free or expired and the
    /// node is Up, with a new, higher fencing token.
    /// </summary>
    /// <returns>The grant, or null when it is held (by anyone, this node included) or the node is not Up.</returns>
    /// <exception cref="ClusterUnavailableException">The database did not answer; the lease may have been taken (it then expires unless renewed).</exception>
    public Task<LeaseGrant?> TryAcquireAsync(string nodeId, long incarnation, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        return _database.RunAsync($"acquire lease {Name}", async connection =>
        {
            await using var command = new NpgsqlCommand("""
                INSERT INTO cluster_lease AS l (name, owner_node, owner_incarnation, token, acquired_at, renewed_at, expires_at)
                SELECT $1, $2, $3, 1, clock_timestamp(), clock_timestamp(), clock_timestamp() + $4
                WHERE EXISTS (SELECT 1 FROM cluster_members WHERE node_id = $2 AND incarnation = $3 AND status = 'up')
                ON CONFLICT (name) DO UPDATE SET
                    owner_node = EXCLUDED.owner_node, owner_incarnation = EXCLUDED.owner_incarnation, token = l.token + 1,
                    acquired_at = clock_timestamp(), renewed_at = clock_timestamp(), expires_at = clock_timestamp() + $4
                WHERE l.expires_at <= clock_timestamp()
                RETURNING token, expires_at - clock_timestamp()
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = nodeId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = incarnation });
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = Duration });
            return await ReadGrantAsync(command, nodeId, incarnation, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>
    /// Extends the lease by <see cref="Duration"/> from now (database clock), only if <paramref name="grant"/> is
    /// still the current, unexpired acquisition and its node is Up or Leaving.
    /// </summary>
    /// <returns>The renewed grant (same token), or null when refused: the holder has lost the lease.</returns>
    /// <exception cref="ClusterUnavailableException">The database did not answer; the holder must count the lease lost at its last known expiry.</exception>
    public Task<LeaseGrant?> RenewAsync(LeaseGrant grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return _database.RunAsync($"renew lease {Name}", async connection =>
        {
            await using var command = new NpgsqlCommand("""
                UPDATE cluster_lease SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + $5
                WHERE name = $1 AND owner_node = $2 AND owner_incarnation = $3 AND token = $4 AND expires_at > clock_timestamp()
                  AND EXISTS (SELECT 1 FROM cluster_members WHERE node_id = $2 AND incarnation = $3 AND status IN ('up', 'leaving'))
                RETURNING token, expires_at - clock_timestamp()
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grant.NodeId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = grant.Incarnation });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = grant.Token });
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = Duration });
            return await ReadGrantAsync(command, grant.NodeId, grant.Incarnation, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>Hands the lease over: expires it now so a standby acquires it at its next attempt.</summary>
    /// <returns>True if it was released; false if <paramref name="grant"/> was no longer current.</returns>
    /// <exception cref="ClusterUnavailableException">The database did not answer; the lease expires by itself.</exception>
    public Task<bool> ReleaseAsync(LeaseGrant grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return _database.RunAsync($"release lease {Name}", async connection =>
        {
            await using var command = new NpgsqlCommand("""
                UPDATE cluster_lease SET expires_at = clock_timestamp()
                WHERE name = $1 AND owner_node = $2 AND owner_incarnation = $3 AND token = $4 AND expires_at > clock_timestamp()
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grant.NodeId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = grant.Incarnation });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = grant.Token });
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    /// <summary>Reads the lease as it is now, or null if it was never acquired.</summary>
    /// <exception cref="ClusterUnavailableException">The database did not answer.</exception>
    public Task<LeaseView?> GetAsync(CancellationToken cancellationToken) =>
        _database.RunAsync($"read lease {Name}", async connection =>
        {
            await using var command = new NpgsqlCommand(ViewSql + " WHERE name = $1", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadView(reader) : null;
        }, cancellationToken);

    /// <summary>Reads a row of <see cref="ViewSql"/>.</summary>
    internal static LeaseView ReadView(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetBoolean(4), reader.GetTimeSpan(5));

    private async Task<LeaseGrant?> ReadGrantAsync(NpgsqlCommand command, string nodeId, long incarnation, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        return new LeaseGrant(Name, nodeId, incarnation, reader.GetInt64(0), reader.GetTimeSpan(1));
    }
}
