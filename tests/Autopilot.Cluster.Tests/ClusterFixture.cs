using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Testing.PostgreSql;

namespace Autopilot.Cluster.Tests;

/// <summary>One <c>autopilotd</c> process of the cluster, with its Akka.Remote port and its credentials at the fakes.</summary>
public sealed class ClusterNode(int number, int clusterPort, DaemonProcess process, NodeCredentials credentials, string token)
{
    public int Number { get; } = number;

    public int ClusterPort { get; } = clusterPort;

    /// <summary>host:port of Akka.Remote (what /api/cluster/leave and /down take).</summary>
    public string ClusterHostPort => $"127.0.0.1:{ClusterPort}";

    public DaemonProcess Process { get; } = process;

    public NodeCredentials Credentials { get; } = credentials;

    public string Name => $"node{Number}";

    public HttpClient Client => Process.Client;

    public bool Alive => !Process.HasExited && !Frozen;

    /// <summary>Set while the test holds the process with SIGSTOP.</summary>
    public bool Frozen { get; set; }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{Name} GET {path}: {(int)response.StatusCode} {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<HttpResponseMessage> PostJsonAsync(string path, string? json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return await Client.SendAsync(request);
    }

    public string LastLog(int lines = 40) => string.Join('\n', Process.Log.TakeLast(lines));
}

/// <summary>The view of <c>GET /api/cluster</c> the tests need.</summary>
public sealed record ClusterView(string Self, string? Oldest, IReadOnlyList<(int Port, string Status, bool Reachable)> Members,
    IReadOnlyDictionary<string, (int? OwnerPort, long Token, bool Held)> Leases)
{
    public static ClusterView From(JsonElement json)
    {
        var members = json.GetProperty("members").EnumerateArray()
            .Select(m => (PortOf(m.GetProperty("address").GetString())!.Value, m.GetProperty("status").GetString()!, m.GetProperty("reachable").GetBoolean()))
            .ToList();
        var leases = json.GetProperty("leases").EnumerateArray().ToDictionary(
            l => l.GetProperty("singleton").GetString()!,
            l => (PortOf(l.GetProperty("owner").ValueKind == JsonValueKind.String ? l.GetProperty("owner").GetString() : null),
                l.GetProperty("token").GetInt64(), l.GetProperty("held").GetBoolean()));
        return new ClusterView(json.GetProperty("self").GetString()!, json.GetProperty("oldest").ValueKind == JsonValueKind.String ? json.GetProperty("oldest").GetString() : null,
            members, leases);
    }

    public static int? PortOf(string? address) =>
        address is not null && Regex.Match(address, @"127\.0\.0\.1:(\d+)") is { Success: true } m ? int.Parse(m.Groups[1].Value) : null;
}

/// <summary>
/// The cluster the tests share: one throwaway PostgreSQL (journal and lease), the platform fakes, three
/// <c>autopilotd</c> processes. A test that kills, freezes or removes a node calls <see cref="EnsureHealthyAsync"/> at its
/// start, which replaces dead nodes (fresh ports, fresh credentials) until three members are Up and the singletons run.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string AdminToken = "cluster-test-admin-token-0123456789";

    /// <summary>The watched services, one per scenario so their side effects are counted apart.</summary>
    public static readonly string[] Services = ["kill-mid-rollback", "frozen-leader"];

    private readonly List<ClusterNode> _nodes = [];
    private int _nextNumber;
    private int[] _seedPorts = [];
    private string _configFile = "";
    private string _connectionString = "";

    public ThrowawayPostgres Postgres { get; } = new();

    public ClusterPlatforms Platforms { get; private set; } = null!;

    /// <summary>The nodes started so far that have not been disposed (dead ones included until replaced).</summary>
    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    public IEnumerable<ClusterNode> Live => _nodes.Where(n => n.Alive);

    public async Task InitializeAsync()
    {
        await Postgres.InitializeAsync();
        _connectionString = await Postgres.CreateDatabaseAsync("cluster");
        Platforms = await ClusterPlatforms.StartAsync(Services, TimeSpan.FromMilliseconds(400));
        _configFile = Path.Combine(Path.GetTempPath(), $"autopilot-cluster-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(_configFile, Platforms.Configuration(Services));
        _seedPorts = [DaemonProcess.FreePort(), DaemonProcess.FreePort()];
        // The first seed alone first (it forms the cluster), then the others join through it.
        await StartNodeAsync(_seedPorts[0]);
        await Task.WhenAll(StartNodeAsync(_seedPorts[1]), StartNodeAsync(DaemonProcess.FreePort()));
        await EnsureHealthyAsync();
    }

    private async Task<ClusterNode> StartNodeAsync(int clusterPort)
    {
        var number = Interlocked.Increment(ref _nextNumber);
        var credentials = Platforms.Credentials(number);
        var environment = new Dictionary<string, string>
        {
            ["AUTOPILOT_CLUSTER_ENABLED"] = "on",
            ["AUTOPILOT_CLUSTER_HOSTNAME"] = "127.0.0.1",
            ["AUTOPILOT_CLUSTER_PORT"] = clusterPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AUTOPILOT_CLUSTER_SEED_NODES"] = string.Join(',', _seedPorts.Select(p => $"127.0.0.1:{p}")),
            ["AUTOPILOT_JOURNAL_PLUGIN"] = "postgresql",
            ["AUTOPILOT_POSTGRES_CONNECTION_STRING"] = _connectionString,
            ["AUTOPILOT_NODE_NAME"] = $"node{number}",
            ["AUTOPILOT_ADMIN_TOKEN"] = AdminToken,
            ["RAILWAY_API_TOKEN"] = credentials.Railway,
            ["GITHUB_TOKEN"] = credentials.GitHub,
            ["TELEGRAM_BOT_TOKEN"] = credentials.Telegram,
        };
        var process = DaemonProcess.Launch(environment, arguments: ["--config", _configFile]);
        var node = new ClusterNode(number, clusterPort, process, credentials, AdminToken);
        lock (_nodes)
        {
            _nodes.Add(node);
        }

        await process.ReadyAsync($"node{number}'s start");
        return node;
    }

    /// <summary>The cluster as <paramref name="node"/> sees it.</summary>
    public static async Task<ClusterView> ViewAsync(ClusterNode node) => ClusterView.From(await node.GetJsonAsync("/api/cluster"));

    /// <summary>
    /// Replaces exited nodes and waits until every live node sees the same three Up, reachable members and both
    /// singleton leases held by the oldest, whose orchestrator answers /api/status through every node's proxy.
    /// </summary>
    public async Task EnsureHealthyAsync()
    {
        foreach (var dead in _nodes.Where(n => n.Process.HasExited).ToList())
        {
            dead.Process.Dispose();
            _nodes.Remove(dead);
        }

        while (_nodes.Count < 3)
        {
            // A replacement takes a seed's port when that seed is gone, so the seed list keeps pointing at live nodes.
            var port = _seedPorts.FirstOrDefault(p => _nodes.All(n => n.ClusterPort != p));
            await StartNodeAsync(port != 0 ? port : DaemonProcess.FreePort());
        }

        await UntilAsync(async () =>
        {
            foreach (var node in _nodes)
            {
                var view = await ViewAsync(node);
                if (view.Members.Count != 3 || view.Members.Any(m => m.Status != "up" || !m.Reachable))
                {
                    return $"{node.Name} sees {string.Join(", ", view.Members)}";
                }

                var oldest = ClusterView.PortOf(view.Oldest);
                if (view.Leases.Values.Any(l => !l.Held || l.OwnerPort != oldest))
                {
                    return $"{node.Name}: leases {string.Join(", ", view.Leases)} not all held by the oldest {view.Oldest}";
                }

                using var status = await node.PostlessGetAsync("/api/status");
                if (status.StatusCode != HttpStatusCode.OK)
                {
                    return $"{node.Name}: /api/status {(int)status.StatusCode}";
                }
            }

            return null;
        }, "three Up members with both singletons running on the oldest", TimeSpan.FromSeconds(120));
    }

    /// <summary>The node whose orchestrator lease is held (as <paramref name="observer"/> reports it), i.e. where the singletons run.</summary>
    public async Task<(ClusterNode Node, long Token)> SingletonHostAsync(ClusterNode? observer = null)
    {
        observer ??= Live.First();
        var view = await ViewAsync(observer);
        var lease = view.Leases["orchestrator"];
        Assert.True(lease.Held, $"the orchestrator lease is not held: {string.Join(", ", view.Leases)}");
        return (_nodes.Single(n => n.ClusterPort == lease.OwnerPort), lease.Token);
    }

    /// <summary>The audit trail through <paramref name="node"/> (oldest first).</summary>
    public static async Task<IReadOnlyList<AuditEntry>> AuditAsync(ClusterNode node)
    {
        var json = await node.GetJsonAsync("/api/audit?limit=5000");
        return json.EnumerateArray().Select(r => new AuditEntry(r.GetProperty("type").GetString()!, r.GetProperty("persistenceId").GetString()!,
            r.GetProperty("event"))).ToList();
    }

    /// <summary>Polls <paramref name="check"/> (null: done; else what is still missing) with a generous deadline; failures of a call count as "not yet".</summary>
    public async Task UntilAsync(Func<Task<string?>> check, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(90));
        var last = "";
        while (true)
        {
            try
            {
                if (await check() is not { } missing)
                {
                    return;
                }

                last = missing;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                last = e.Message;
            }

            if (DateTime.UtcNow > until)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}; last: {last}\n{Logs()}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>The tail of every node's log, for failure messages.</summary>
    public string Logs(int lines = 25) =>
        string.Join("\n", _nodes.Select(n => $"--- {n.Name} (cluster port {n.ClusterPort}, exited: {n.Process.HasExited}) ---\n{n.LastLog(lines)}"));

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            if (node.Frozen)
            {
                node.Process.Signal(18);
            }

            node.Process.Dispose();
        }

        await Platforms.DisposeAsync();
        Postgres.Dispose();
        File.Delete(_configFile);
    }
}

public sealed record AuditEntry(string Type, string PersistenceId, JsonElement Event)
{
    public string? Field(string name) => Event.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

public static class NodeHttp
{
    /// <summary>GET with the admin token, returning the raw response.</summary>
    public static async Task<HttpResponseMessage> PostlessGetAsync(this ClusterNode node, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClusterFixture.AdminToken);
        return await node.Client.SendAsync(request);
    }
}
