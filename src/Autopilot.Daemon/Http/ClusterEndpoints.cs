using Akka.Actor;
using Akka.Cluster;
using Autopilot.Daemon.Cluster;
using Autopilot.Daemon.Http.Auth;
using Autopilot.Daemon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Daemon.Http;

/// <summary>
/// The cluster part of the admin API, answered from Akka.Cluster's own view of the membership and the PostgreSQL lease
/// rows: <c>GET /api/cluster</c> (viewer), <c>POST /api/cluster/leave</c> (operator: a member leaves gracefully, this
/// node by default) and <c>POST /api/cluster/down</c> (admin: declare an unreachable member down so the singletons move
/// at once). On a single node the commands answer 409 <c>not_clustered</c>.
/// </summary>
public static class ClusterEndpoints
{
    /// <summary>Maps the endpoints onto the <c>/api</c> group.</summary>
    public static RouteGroupBuilder MapClusterEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/cluster", async (DaemonRuntime runtime, CancellationToken ct) =>
            Results.Json(runtime.System is { } system && runtime.Settings.Cluster.Enabled
                ? await ClusterReport.OfAsync(system, ct)
                : ClusterReport.SingleNode(runtime))).RequireRole(Configuration.ApiRole.Viewer);
        api.MapPost("/cluster/leave", (DaemonRuntime runtime, MemberCommand? command) =>
            OnMember(runtime, command?.Address, (cluster, address) => cluster.Leave(address), "leaving")).RequireRole(Configuration.ApiRole.Operator);
        api.MapPost("/cluster/down", (DaemonRuntime runtime, MemberCommand? command) => command?.Address is null
            ? Results.Json(new ApiError("address_required", "Name the member to down: {\"address\": \"host:port\"}."), statusCode: StatusCodes.Status400BadRequest)
            : OnMember(runtime, command.Address, (cluster, address) => cluster.Down(address), "down")).RequireRole(Configuration.ApiRole.Admin);
        return api;
    }

    private static IResult OnMember(DaemonRuntime runtime, string? address, Action<Akka.Cluster.Cluster, Address> command, string outcome)
    {
        if (runtime.System is not { } system || !runtime.Settings.Cluster.Enabled)
        {
            return Results.Json(new ApiError("not_clustered",
                $"This daemon runs as a single node ({Configuration.ClusterSettings.EnabledKey} = off): there is no cluster to leave or down; stop the process instead."),
                statusCode: StatusCodes.Status409Conflict);
        }

        var cluster = Akka.Cluster.Cluster.Get(system);
        var member = address is null
            ? cluster.State.Members.FirstOrDefault(m => m.Address == cluster.SelfAddress)
            : cluster.State.Members.FirstOrDefault(m => Matches(m.Address, address));
        if (member is null)
        {
            return Results.Json(new ApiError("member_not_found",
                $"No member of this cluster is at '{address ?? cluster.SelfAddress.ToString()}' (see `autopilot cluster show`)."), statusCode: StatusCodes.Status404NotFound);
        }

        command(cluster, member.Address);
        return Results.Json(new MemberCommandResult(member.Address.ToString(), outcome), statusCode: StatusCodes.Status202Accepted);
    }

    // host:port or the full akka.tcp://system@host:port address.
    private static bool Matches(Address member, string address) =>
        string.Equals(member.ToString(), address.Trim(), StringComparison.OrdinalIgnoreCase)
        || string.Equals(member.HostPort(), address.Trim(), StringComparison.OrdinalIgnoreCase);
}

/// <summary>Body of <c>POST /api/cluster/leave</c> and <c>/down</c>.</summary>
/// <param name="Address">The member: <c>host:port</c> or its full Akka address; for leave, null means this node.</param>
public sealed record MemberCommand(string? Address);

/// <summary>Answer of a membership command: Akka.Cluster accepted it; the member's status follows in <c>GET /api/cluster</c>.</summary>
/// <param name="Address">The member's full address.</param>
/// <param name="Outcome">leaving or down.</param>
public sealed record MemberCommandResult(string Address, string Outcome);

/// <summary>Answer of <c>GET /api/cluster</c>.</summary>
/// <param name="Clustered">False on a single node (then the only member is this node, and it runs the orchestrator).</param>
/// <param name="Self">This node's address.</param>
/// <param name="Leader">The cluster leader (Akka's membership leader, which moves members up and removes them).</param>
/// <param name="Oldest">The oldest Up member: where the singletons run.</param>
/// <param name="Members">The members as this node sees them.</param>
/// <param name="Leases">The singletons' leases as the database sees them.</param>
public sealed record ClusterReport(bool Clustered, string Self, string? Leader, string? Oldest, IReadOnlyList<MemberReport> Members, IReadOnlyList<LeaseReport> Leases)
{
    /// <summary>This node as the only member.</summary>
    public static ClusterReport SingleNode(DaemonRuntime runtime)
    {
        var self = $"{runtime.Settings.Http.Host}:{runtime.Settings.Http.Port}";
        return new ClusterReport(false, self, self, self, [new MemberReport(self, "up", [], true, AppVersion)], []);
    }

    /// <summary>Akka.Cluster's current view and the lease rows.</summary>
    public static async Task<ClusterReport> OfAsync(ActorSystem system, CancellationToken cancellationToken)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members.Concat(state.Unreachable.Where(u => !state.Members.Contains(u)))
            .Select(m => new MemberReport(m.Address.ToString(), m.Status.ToString().ToLowerInvariant(), m.Roles.ToArray(), !unreachable.Contains(m.Address),
                m.AppVersion.ToString()))
            .ToArray();
        var leases = new List<LeaseReport>();
        foreach (var singleton in SingletonLeases.Singletons)
        {
            try
            {
                var row = await SingletonLeases.Of(system, singleton).ReadAsync(cancellationToken);
                leases.Add(row is null
                    ? new LeaseReport(singleton, null, 0, false, 0, null)
                    : new LeaseReport(singleton, row.Owner, row.FencingToken, row.IsHeld, (long)(row.ExpiresIn?.TotalMilliseconds ?? 0), null));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                leases.Add(new LeaseReport(singleton, null, 0, false, 0, $"the lease could not be read: {e.GetBaseException().Message}"));
            }
        }

        return new ClusterReport(true, cluster.SelfAddress.ToString(), state.Leader?.ToString(), ClusterPlace.Of(system).SingletonHost, members, leases);
    }

    private static string AppVersion => typeof(ClusterReport).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}

/// <summary>One member of the cluster.</summary>
/// <param name="Address">Its Akka address.</param>
/// <param name="Status">joining, weaklyup, up, leaving, exiting, down or removed.</param>
/// <param name="Roles">Its roles.</param>
/// <param name="Reachable">False when this node's failure detector lost it.</param>
/// <param name="AppVersion">The version it runs.</param>
public sealed record MemberReport(string Address, string Status, IReadOnlyList<string> Roles, bool Reachable, string AppVersion);

/// <summary>One singleton's lease.</summary>
/// <param name="Singleton">orchestrator or handover.</param>
/// <param name="Owner">host:port#incarnation of the holder (or the last one).</param>
/// <param name="Token">The fencing token of the current (or last) tenure.</param>
/// <param name="Held">Whether a holder's time has not run out (database clock).</param>
/// <param name="ValidForMs">Time left, by the database clock.</param>
/// <param name="Error">Why the row could not be read, or null.</param>
public sealed record LeaseReport(string Singleton, string? Owner, long Token, bool Held, long ValidForMs, string? Error);
