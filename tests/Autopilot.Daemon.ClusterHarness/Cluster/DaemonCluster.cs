using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Daemon.ClusterHarness.Audit;
using Autopilot.Daemon.ClusterHarness.Configuration;
using Autopilot.Daemon.ClusterHarness.Platforms;
using Autopilot.Daemon.ClusterHarness.Processes;

namespace Autopilot.Daemon.ClusterHarness.Cluster;

/// <summary>
/// A clustered autopilot as operators run it, on one machine: N <c>autopilotd</c> processes on loopback, one
/// PostgreSQL database for the journal and the cluster tables, and the platform fakes in this process. Disposing it
/// kills every process it started (also when the test failed) and deletes its files.
/// </summary>
public sealed class DaemonCluster : IAsyncDisposable
{
    private readonly string _root;
    private readonly List<DaemonNode> _nodes = [];
    private bool _disposed;

    private DaemonCluster(string root, string connectionString, PlatformFakes platforms, string adminToken)
    {
        _root = root;
        ConnectionString = connectionString;
        Platforms = platforms;
        AdminToken = adminToken;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>The nodes, in start order (<c>node-1</c> …).</summary>
    public IReadOnlyList<DaemonNode> Nodes => _nodes;

    /// <summary>The platform fakes every node talks to.</summary>
    public PlatformFakes Platforms { get; }

    /// <summary>The cluster's PostgreSQL database (contains the password: never print it).</summary>
    public string ConnectionString { get; }

    /// <summary>The admin API token every node accepts.</summary>
    public string AdminToken { get; }

    /// <summary>
    /// Creates a database on <paramref name="server"/>, starts the fakes, writes one configuration file per node,
    /// launches every node and waits until all are ready.
    /// </summary>
    /// <exception cref="FileNotFoundException">autopilotd.dll is not next to the harness (reference the harness project).</exception>
    public static async Task<DaemonCluster> StartAsync(ThrowawayPostgres server, DaemonClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Nodes, 1);
        var daemonDll = LocateDaemon();
        var connectionString = await server.CreateDatabaseAsync(options.Purpose).ConfigureAwait(false);
        var root = Directory.CreateTempSubdirectory($"autopilot-cluster-{options.Purpose}-").FullName;
        var platforms = await PlatformFakes.StartAsync(options.DeploymentStep).ConfigureAwait(false);
        var cluster = new DaemonCluster(root, connectionString, platforms, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
        try
        {
            for (var i = 1; i <= options.Nodes; i++)
            {
                cluster.AddNode($"node-{i}", options.Timings, daemonDll);
            }

            foreach (var node in cluster._nodes)
            {
                node.Start();
            }

            await Task.WhenAll(cluster._nodes.Select(n => n.WaitUntilReadyAsync(options.StartDeadline))).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Waits until a responsive node other than <paramref name="except"/> says it leads (its own <c>/api/cluster</c>
    /// names itself as leader) and returns it with the orchestrator lease's fencing token.
    /// </summary>
    public Task<Leadership> WaitForLeaderAsync(DaemonNode? except = null, TimeSpan? deadline = null) =>
        Eventually.ValueAsync(async () =>
        {
            foreach (var node in _nodes.Where(n => n.IsResponsive && n != except))
            {
                var view = await node.ClusterViewAsync().ConfigureAwait(false);
                if (view.Leader == node.NodeId && view.Orchestrator is { } lease && lease.Owner == node.NodeId)
                {
                    return new Leadership(node, lease.Token);
                }
            }

            return null;
        }, except is null ? "a leader" : $"a leader other than {except.NodeId}", deadline ?? TimeSpan.FromSeconds(60));

    /// <summary>The audit tag stream from the first responsive node.</summary>
    public Task<IReadOnlyList<AuditEntry>> AuditEntriesAsync() => AuditTrail.ReadEntriesAsync(AnyResponsiveNode());

    /// <summary>Waits until the audit trail holds an entry matching <paramref name="match"/> and returns the first such.</summary>
    public Task<AuditEntry> WaitForAuditAsync(Func<AuditEntry, bool> match, string what, TimeSpan? deadline = null) =>
        Eventually.ValueAsync(async () => (await AuditEntriesAsync().ConfigureAwait(false)).FirstOrDefault(match), what, deadline ?? TimeSpan.FromSeconds(90));

    /// <summary>The full audit trail (API tag stream and journal rows), read through a responsive node.</summary>
    public Task<AuditTrail> ReadAuditTrailAsync() => AuditTrail.ReadAsync(AnyResponsiveNode(), ConnectionString);

    /// <summary>Posts a Railway deployment webhook for <paramref name="deploymentId"/> to <paramref name="node"/>; returns the status code.</summary>
    public async Task<HttpStatusCode> SendRailwayWebhookAsync(DaemonNode node, string deploymentId, string deliveryId)
    {
        ArgumentNullException.ThrowIfNull(node);
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "DEPLOY",
            ["deployment"] = new System.Text.Json.Nodes.JsonObject { ["id"] = deploymentId },
            ["service"] = new System.Text.Json.Nodes.JsonObject { ["id"] = Platforms.Service.ServiceId },
            ["environment"] = new System.Text.Json.Nodes.JsonObject { ["id"] = Platforms.Service.EnvironmentId },
        }.ToJsonString();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/webhooks/railway", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Autopilot-Token", Platforms.WebhookSecret);
        request.Headers.Add("X-Autopilot-Delivery", deliveryId);
        using var response = await node.Api.SendAsync(request).ConfigureAwait(false);
        return response.StatusCode;
    }

    /// <summary>
    /// Everything needed to understand a failure: each node's state and the end of its log, what the fakes saw, and
    /// the audit trail if a node can still serve it. Credentials are masked; logs are the daemons' own (redacted).
    /// </summary>
    public async Task<string> DescribeAsync(int logLines = 150)
    {
        var text = new StringBuilder();
        foreach (var node in _nodes)
        {
            var state = node.HasExited ? $"exited with {node.ExitCode}" : node.IsStopped ? "stopped (SIGSTOP)" : "running";
            text.AppendLine($"===== {node.NodeId}: {state}, started {node.Starts}x, log {node.LogPath} =====");
            text.AppendLine(node.LogTail(logLines));
        }

        text.AppendLine("===== platform fakes =====");
        text.AppendLine(Platforms.Describe());
        text.AppendLine("===== audit trail =====");
        try
        {
            text.AppendLine(_nodes.Any(n => n.IsResponsive)
                ? string.Join('\n', (await AuditEntriesAsync().ConfigureAwait(false)).Select(e => e.ToString()))
                : "(no responsive node to read it from)");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            text.AppendLine($"(could not read it: {e.Message})");
        }

        return text.ToString();
    }

    /// <summary>Kills every node, stops the fakes and deletes the nodes' files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }

        await Platforms.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by an exiting process; the temp cleaner takes it.
        }
    }

    private void AddNode(string nodeId, ClusterTimings timings, string daemonDll)
    {
        var directory = Path.Combine(_root, nodeId);
        Directory.CreateDirectory(directory);
        var port = FreePort();
        var credentials = Platforms.AddNode();
        var config = Path.Combine(directory, "node.conf");
        File.WriteAllText(config, NodeConfiguration.Render(nodeId, port, Path.Combine(directory, "data"), ConnectionString, AdminToken, Platforms, credentials, timings));
        _nodes.Add(new DaemonNode(nodeId, directory, config, new Uri($"http://127.0.0.1:{port}/"), AdminToken, credentials, daemonDll));
    }

    private DaemonNode AnyResponsiveNode() =>
        _nodes.FirstOrDefault(n => n.IsResponsive) ?? throw new InvalidOperationException("No node is running to answer.");

    private void OnProcessExit(object? sender, EventArgs e)
    {
        foreach (var node in _nodes)
        {
            node.KillNow();
        }
    }

    /// <summary>autopilotd.dll with its runtimeconfig, copied next to this assembly by the project reference.</summary>
    private static string LocateDaemon()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "autopilotd.dll");
        var runtimeConfig = Path.Combine(AppContext.BaseDirectory, "autopilotd.runtimeconfig.json");
        return File.Exists(dll) && File.Exists(runtimeConfig)
            ? dll
            : throw new FileNotFoundException(
                $"autopilotd.dll and autopilotd.runtimeconfig.json must be in {AppContext.BaseDirectory}: reference tests/Autopilot.Daemon.ClusterHarness and build.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A node that leads, with the fencing token of its orchestrator lease.</summary>
/// <param name="Node">The leader.</param>
/// <param name="Token">Its lease's fencing token.</param>
public sealed record Leadership(DaemonNode Node, long Token);
