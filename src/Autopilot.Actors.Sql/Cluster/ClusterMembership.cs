using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Autopilot.Actors.Sql.Cluster;

/// <summary>
/// This node's membership in the cluster: registers it (Joining, with a fresh incarnation), heartbeats on
/// <see cref="ClusterSettings.HeartbeatInterval"/> (the first heartbeat moves it Up), acts as failure detector for
/// the others, and publishes every status change it observes as a <see cref="MemberEvent"/>.
/// </summary>
/// <remarks>
/// <para>
/// Failure detection runs in SQL on every live node's heartbeat: a member whose <c>last_heartbeat</c> is older than
/// <see cref="ClusterSettings.FailureDetectionTimeout"/> by the database's clock is marked Down, and the leases it
/// held are expired so a standby can take over at once. A node only judges others after its own heartbeats have
/// succeeded for a whole timeout (again by the database's clock): after a database outage nobody could heartbeat,
/// and the first node back must not down the rest. Down members become Removed after
/// <see cref="ClusterSettings.DownRemovalMargin"/>.
/// </para>
/// <para>
/// A node that finds itself Down (or superseded by a newer incarnation of its node id) stops heartbeating and
/// publishes it (<see cref="MemberDowned"/>/<see cref="MemberRemoved"/> for itself): the host must then shut the
/// process down, as in Akka. <see cref="DisposeAsync"/> stops heartbeating without leaving (like a crash);
/// <see cref="LeaveAsync"/> leaves gracefully.
/// </para>
/// </remarks>
public sealed class ClusterMembership : IAsyncDisposable
{
    private const string MemberColumns =
        "node_id, incarnation, address, roles, app_version, status, status_reason, clock_timestamp() - last_heartbeat AS heartbeat_age";

    private const string LiveStatuses = "('joining', 'up', 'leaving', 'exiting')";

    private readonly ClusterDatabase _database;
    private readonly ClusterSettings _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Subscribers<MemberEvent> _subscribers;
    private readonly object _gate = new();
    private readonly Dictionary<string, Member> _known = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _heartbeats = Task.CompletedTask;
    private DateTime? _healthySince;
    private long _incarnation;

    /// <summary>Creates this node's membership; <see cref="JoinAsync"/> registers it.</summary>
    /// <exception cref="Autopilot.Actors.Configuration.ConfigurationException">The settings are inconsistent.</exception>
    public ClusterMembership(ClusterDatabase database, ClusterSettings settings, ILogger logger, TimeProvider timeProvider)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        settings.EnsureValid();
        _subscribers = new Subscribers<MemberEvent>("Cluster membership", logger);
    }

    /// <summary>This node's id.</summary>
    public string NodeId => _settings.NodeId;

    /// <summary>This process's incarnation of <see cref="NodeId"/>; 0 until joined.</summary>
    public long Incarnation => Interlocked.Read(ref _incarnation);

    /// <summary>
    /// This node as last seen in the database (status Removed if a newer incarnation of its node id took over), or
    /// null before <see cref="JoinAsync"/>.
    /// </summary>
    public Member? Self
    {
        get
        {
            lock (_gate)
            {
                if (Incarnation == 0 || !_known.TryGetValue(NodeId, out var self))
                    return null;
                // A newer process with our node id took over our row: to us that means we were removed.
                return self.Incarnation == Incarnation
                    ? self
                    : self with { Incarnation = Incarnation, Status = MemberStatus.Removed, StatusReason = $"superseded by incarnation {self.Incarnation}" };
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="handler"/> with a current-state event per known member that is not Removed, then with
    /// every change, in order. Handlers run on the heartbeat loop and must be quick. Dispose the result to stop.
    /// </summary>
    public IDisposable Subscribe(Action<MemberEvent> handler)
    {
        lock (_gate)
            return _subscribers.Add(handler, _known.Values.Where(m => m.Status != MemberStatus.Removed).OrderBy(m => m.NodeId, StringComparer.Ordinal).Select(MemberEvent.For).ToArray());
    }

    /// <summary>
    /// Registers this node as Joining with the next incarnation of its node id and starts heartbeating; the first
    /// heartbeat makes it Up. A previous incarnation still running under the same node id is superseded.
    /// </summary>
    /// <exception cref="ClusterUnavailableException">The database did not answer; the registration may or may not have happened (join again: it takes the next incarnation).</exception>
    /// <exception cref="InvalidOperationException">Already joined.</exception>
    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        if (Incarnation != 0)
            throw new InvalidOperationException($"Node '{NodeId}' already joined (incarnation {Incarnation}).");
        var (self, members) = await _database.RunAsync("register this node", async connection =>
        {
            await using var command = new NpgsqlCommand($"""
                INSERT INTO cluster_members AS m (node_id, incarnation, address, roles, app_version, status, status_reason, joined_at, last_heartbeat, status_changed_at)
                VALUES ($1, 1, $2, $3, $4, 'joining', NULL, clock_timestamp(), clock_timestamp(), clock_timestamp())
                ON CONFLICT (node_id) DO UPDATE SET
                    incarnation = m.incarnation + 1, address = EXCLUDED.address, roles = EXCLUDED.roles, app_version = EXCLUDED.app_version,
                    status = 'joining', status_reason = NULL, joined_at = EXCLUDED.joined_at,
                    last_heartbeat = EXCLUDED.last_heartbeat, status_changed_at = EXCLUDED.status_changed_at
                RETURNING {MemberColumns}
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = NodeId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _settings.Address });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = _settings.Roles.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _settings.AppVersion });
            var registered = (await ReadMembersAsync(command, cancellationToken).ConfigureAwait(false)).Single();
            // Know the cluster from the start, so subscribers right after joining get every member.
            await using var read = new NpgsqlCommand($"SELECT {MemberColumns} FROM cluster_members ORDER BY node_id", connection);
            return (registered, await ReadMembersAsync(read, cancellationToken).ConfigureAwait(false));
        }, cancellationToken).ConfigureAwait(false);

        Interlocked.Exchange(ref _incarnation, self.Incarnation);
        _logger.LogInformation("Node {Node} joined the cluster as incarnation {Incarnation} ({Address}, version {Version})", NodeId, self.Incarnation, _settings.Address, _settings.AppVersion);
        Observe(members);
        _heartbeats = Task.Run(() => HeartbeatLoopAsync(_stopping.Token));
    }

    /// <summary>
    /// Leaves gracefully: Leaving (no longer takes leases), then <paramref name="handover"/> (e.g. stop the
    /// singleton and release its lease: <c>ct =&gt; keeper.StopAsync(ct)</c>), then Exiting, then stops heartbeating
    /// and becomes Removed. Leases this incarnation still holds at that point are expired.
    /// </summary>
    /// <exception cref="ClusterUnavailableException">The database did not answer; the node stays in its last status (the failure detector downs it if it stops).</exception>
    /// <exception cref="InvalidOperationException">Not joined, or already Down/Removed.</exception>
    public async Task LeaveAsync(Func<CancellationToken, Task>? handover, CancellationToken cancellationToken)
    {
        if (Incarnation == 0)
            throw new InvalidOperationException($"Node '{NodeId}' has not joined, so it cannot leave.");
        await TransitionSelfAsync("leaving", "'joining', 'up', 'leaving'", cancellationToken).ConfigureAwait(false);
        if (handover is not null)
            await handover(cancellationToken).ConfigureAwait(false);
        await TransitionSelfAsync("exiting", "'leaving', 'exiting'", cancellationToken).ConfigureAwait(false);
        await StopHeartbeatsAsync().ConfigureAwait(false);
        await TransitionSelfAsync("removed", "'exiting'", cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Node {Node} (incarnation {Incarnation}) left the cluster", NodeId, Incarnation);
    }

    /// <summary>
    /// Marks <paramref name="nodeId"/> Down (operator action, any node may do it for any node, itself included) and
    /// expires the leases it holds so a standby takes over at once. The downed process learns it at its next
    /// heartbeat and must shut down.
    /// </summary>
    /// <returns>True if it was live and is now Down; false if it already was Down or Removed.</returns>
    /// <exception cref="UnknownMemberException">No member has that id.</exception>
    /// <exception cref="ClusterUnavailableException">The database did not answer.</exception>
    public async Task<bool> DownAsync(string nodeId, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var (known, downed) = await _database.RunAsync($"down member {nodeId}", async connection =>
        {
            await using var command = new NpgsqlCommand($"""
                WITH downed AS (
                    UPDATE cluster_members SET status = 'down', status_reason = $2, status_changed_at = clock_timestamp()
                    WHERE node_id = $1 AND status IN {LiveStatuses}
                    RETURNING node_id, incarnation),
                expired AS (
                    UPDATE cluster_lease l SET expires_at = clock_timestamp() FROM downed d
                    WHERE l.owner_node = d.node_id AND l.owner_incarnation = d.incarnation AND l.expires_at > clock_timestamp()
                    RETURNING l.name)
                SELECT EXISTS (SELECT 1 FROM cluster_members WHERE node_id = $1), (SELECT count(*) FROM downed), (SELECT count(*) FROM expired)
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = nodeId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"operator: {reason}" });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return (reader.GetBoolean(0), reader.GetInt64(1) > 0);
        }, cancellationToken).ConfigureAwait(false);
        if (!known)
            throw new UnknownMemberException(nodeId);
        if (downed)
            _logger.LogWarning("Member {Node} was marked Down by an operator: {Reason}", nodeId, reason);
        return downed;
    }

    /// <summary>Reads every member (status, heartbeat age by the database's clock) and every singleton lease.</summary>
    /// <exception cref="ClusterUnavailableException">The database did not answer.</exception>
    public Task<ClusterView> GetViewAsync(CancellationToken cancellationToken) =>
        _database.RunAsync("read the cluster members", async connection =>
        {
            IReadOnlyList<Member> members;
            await using (var command = new NpgsqlCommand($"SELECT {MemberColumns} FROM cluster_members ORDER BY node_id", connection))
                members = await ReadMembersAsync(command, cancellationToken).ConfigureAwait(false);
            var leases = new List<LeaseView>();
            await using (var command = new NpgsqlCommand(SingletonLease.ViewSql + " ORDER BY name", connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    leases.Add(SingletonLease.ReadView(reader));
            }

            return new ClusterView(members, leases);
        }, cancellationToken);

    /// <summary>Stops heartbeating without leaving: to the others this node looks crashed until it is marked Down.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopHeartbeatsAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task StopHeartbeatsAsync()
    {
        if (!_stopping.IsCancellationRequested)
            await _stopping.CancelAsync().ConfigureAwait(false);
        await _heartbeats.ConfigureAwait(false);
    }

    private async Task HeartbeatLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_settings.HeartbeatInterval, _time, stopping).ConfigureAwait(false);
                if (!await HeartbeatAsync(stopping).ConfigureAwait(false))
                    return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Unreachable database: keep trying; our health streak restarts so we do not judge others on return.
                _healthySince = null;
                _database.ReportUnreachable(e);
            }
        }
    }

    /// <summary>One heartbeat: prove we live, down the silent, read everyone. False when this node must stop.</summary>
    private async Task<bool> HeartbeatAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync("heartbeat", cancellationToken).ConfigureAwait(false);

        DateTime now;
        bool alive;
        await using (var heartbeat = new NpgsqlCommand($"""
            UPDATE cluster_members SET
                last_heartbeat = clock_timestamp(),
                status = CASE WHEN status = 'joining' THEN 'up' ELSE status END,
                status_changed_at = CASE WHEN status = 'joining' THEN clock_timestamp() ELSE status_changed_at END
            WHERE node_id = $1 AND incarnation = $2 AND status IN {LiveStatuses}
            RETURNING clock_timestamp()
            """, connection))
        {
            heartbeat.Parameters.Add(new NpgsqlParameter<string> { TypedValue = NodeId });
            heartbeat.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Incarnation });
            var answer = await heartbeat.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            alive = answer is DateTime;
            now = answer is DateTime at ? at : default;
        }

        if (alive)
        {
            _healthySince ??= now;
            await using var sweep = new NpgsqlCommand($"""
                WITH downed AS (
                    UPDATE cluster_members
                    SET status = 'down', status_changed_at = clock_timestamp(),
                        status_reason = 'failure detector: no heartbeat within ' || $2::interval
                    WHERE status IN {LiveStatuses} AND node_id <> $1
                      AND last_heartbeat < clock_timestamp() - $2::interval
                      AND $3::timestamptz <= clock_timestamp() - $2::interval
                    RETURNING node_id, incarnation),
                expired AS (
                    UPDATE cluster_lease l SET expires_at = clock_timestamp() FROM downed d
                    WHERE l.owner_node = d.node_id AND l.owner_incarnation = d.incarnation AND l.expires_at > clock_timestamp()
                    RETURNING l.name),
                removed AS (
                    UPDATE cluster_members SET status = 'removed', status_changed_at = clock_timestamp()
                    WHERE status = 'down' AND status_changed_at < clock_timestamp() - $4::interval
                    RETURNING node_id)
                SELECT (SELECT count(*) FROM downed), (SELECT count(*) FROM expired), (SELECT count(*) FROM removed)
                """, connection);
            sweep.Parameters.Add(new NpgsqlParameter<string> { TypedValue = NodeId });
            sweep.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = _settings.FailureDetectionTimeout });
            sweep.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = _healthySince.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            sweep.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = _settings.DownRemovalMargin });
            await using var reader = await sweep.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetInt64(0) > 0)
                _logger.LogWarning("Node {Node} marked {Count} silent member(s) Down and expired {Leases} lease(s) they held", NodeId, reader.GetInt64(0), reader.GetInt64(1));
        }

        IReadOnlyList<Member> members;
        await using (var read = new NpgsqlCommand($"SELECT {MemberColumns} FROM cluster_members ORDER BY node_id", connection))
            members = await ReadMembersAsync(read, cancellationToken).ConfigureAwait(false);
        _database.ReportReachable();
        Observe(members);

        if (alive)
            return true;
        var self = members.FirstOrDefault(m => m.NodeId == NodeId);
        if (self is null || self.Incarnation != Incarnation)
            _logger.LogError("Node {Node} incarnation {Incarnation} was superseded by incarnation {Newer}; it must stop", NodeId, Incarnation, self?.Incarnation);
        else
            _logger.LogError("Node {Node} is {Status} ({Reason}); it stops heartbeating and must shut down", NodeId, self.Status, self.StatusReason);

        return false;
    }

    private async Task TransitionSelfAsync(string status, string allowedFrom, CancellationToken cancellationToken)
    {
        var changed = await _database.RunAsync($"mark this node {status}", async connection =>
        {
            // Leaving the cluster for good also gives up leases the handover did not release.
            var expireLeases = status == "removed"
                ? "expired AS (UPDATE cluster_lease SET expires_at = clock_timestamp() WHERE owner_node = $1 AND owner_incarnation = $2 AND expires_at > clock_timestamp() RETURNING name),"
                : "";
            await using var command = new NpgsqlCommand($"""
                WITH {expireLeases}
                changed AS (
                    UPDATE cluster_members SET
                        status = $3,
                        status_changed_at = CASE WHEN status = $3 THEN status_changed_at ELSE clock_timestamp() END,
                        last_heartbeat = clock_timestamp()
                    WHERE node_id = $1 AND incarnation = $2 AND status IN ({allowedFrom})
                    RETURNING *)
                SELECT {MemberColumns} FROM changed
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = NodeId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Incarnation });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = status });
            return await ReadMembersAsync(command, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        if (changed.Count == 0)
            throw new InvalidOperationException($"Node '{NodeId}' (incarnation {Incarnation}) cannot become {status}: it is {Self?.Status.ToString() ?? "no longer registered"}.");
        Observe(changed);
    }

    /// <summary>Merges what the database says into what we knew and publishes each change, never a step backwards.</summary>
    private void Observe(IReadOnlyList<Member> members)
    {
        lock (_gate)
        {
            foreach (var member in members)
            {
                if (_known.TryGetValue(member.NodeId, out var before))
                {
                    if (member.Incarnation < before.Incarnation || (member.Incarnation == before.Incarnation && member.Status < before.Status))
                        continue; // an older read that lost a race with a newer one
                    _known[member.NodeId] = member;
                    if (member.Incarnation == before.Incarnation && member.Status == before.Status)
                        continue;
                    if (member.Incarnation > before.Incarnation && before.Status != MemberStatus.Removed)
                        _subscribers.Publish(new MemberRemoved(before with { Status = MemberStatus.Removed, StatusReason = "restarted as a newer incarnation" }));
                    _subscribers.Publish(MemberEvent.For(member));
                }
                else
                {
                    _known[member.NodeId] = member;
                    if (member.Status != MemberStatus.Removed)
                        _subscribers.Publish(MemberEvent.For(member));
                }
            }
        }
    }

    private static async Task<IReadOnlyList<Member>> ReadMembersAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var members = new List<Member>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            members.Add(new Member(
                reader.GetString(0),
                reader.GetInt64(1),
                reader.GetString(2),
                reader.GetFieldValue<string[]>(3),
                reader.GetString(4),
                ParseStatus(reader.GetString(5)),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetTimeSpan(7)));
        }

        return members;
    }

    private static MemberStatus ParseStatus(string status) =>
        Enum.TryParse<MemberStatus>(status, ignoreCase: true, out var parsed)
            ? parsed
            : throw new InvalidDataException($"cluster_members holds an unknown status '{status}'.");
}
