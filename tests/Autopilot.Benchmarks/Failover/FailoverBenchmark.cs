using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Autopilot.Benchmarks.Reporting;
using Autopilot.Benchmarks.Webhooks;
using Autopilot.Testing.PostgreSql;

namespace Autopilot.Benchmarks.Failover;

/// <summary>
/// Fail-over of the orchestrator singleton: three <c>autopilotd</c> processes form a cluster on a throwaway PostgreSQL,
/// the orchestrator is paused (state to recover), then the node running the singletons is SIGKILLed and the survivors
/// are polled every 25 ms. Per run: when a survivor saw it unreachable, when it was removed from the membership, and
/// when a survivor's <c>/api/status</c> answered with the orchestrator's recovered state (paused) from its new node.
/// The killed node is restarted and rejoins before the next run. Prints every run and the median and range.
/// </summary>
public static class FailoverBenchmark
{
    private const string Token = "failover-benchmark-admin-token-0123456789";

    /// <summary>
    /// Akka's own defaults for the keys the daemon ships tuned (SBR stable-after, failure detector, removal margin,
    /// reaper and leader ticks, singleton retries), and no crash downing — passed with <c>--akka-defaults</c> to measure
    /// what an untuned cluster does.
    /// </summary>
    private const string AkkaDefaults = """
        autopilot.cluster.down-crashed-members = off
        akka.cluster {
          unreachable-nodes-reaper-interval = 1s
          leader-actions-interval = 1s
          split-brain-resolver.stable-after = 20s
          failure-detector { heartbeat-interval = 1s, acceptable-heartbeat-pause = 3s }
          down-removal-margin = off
          singleton { lease-retry-interval = 5s, hand-over-retry-interval = 1s }
          singleton-proxy.singleton-identification-interval = 1s
        }
        """;

    /// <summary>Options: <c>--runs N</c> (10), <c>--akka-defaults</c>, <c>--daemon path/to/autopilotd.dll</c>.</summary>
    public static async Task RunAsync(string[] args)
    {
        var runs = int.Parse(BenchmarkConsole.Option(args, "--runs") ?? "10", CultureInfo.InvariantCulture);
        var akkaDefaults = args.Contains("--akka-defaults");
        var daemon = DaemonProcess.Locate(BenchmarkConsole.Option(args, "--daemon"));
        Console.WriteLine($"# daemon: {daemon}");
        Console.WriteLine($"# 3 nodes, SIGKILL of the singletons' node, {runs} run(s), timings: {(akkaDefaults ? "Akka defaults" : "as shipped")}");

        using var server = await ThrowawayPostgres.StartNewAsync();
        var database = await server.CreateDatabaseAsync("failover");
        var clusterPorts = Enumerable.Range(0, 3).Select(_ => DaemonProcess.FreePort()).ToArray();
        var seeds = string.Join(",", clusterPorts.Select(p => $"127.0.0.1:{p}"));
        string Hocon(int index) => $$"""
            autopilot.daemon.node-name = "node-{{index + 1}}"
            autopilot.persistence.journal.plugin = postgresql
            autopilot.persistence.journal.postgresql.connection-string = "{{database}}"
            autopilot.api.tokens.bench { role = admin, token = "{{Token}}" }
            autopilot.cluster { enabled = on, port = {{clusterPorts[index]}}, seed-nodes = "{{seeds}}" }
            {{(akkaDefaults ? AkkaDefaults : "")}}
            """;

        // Short timeouts for the polls (a proxy buffers a request while the singleton moves); a patient one for /ready.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        using var patient = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var nodes = new DaemonProcess?[3];
        try
        {
            for (var i = 0; i < 3; i++)
            {
                nodes[i] = DaemonProcess.Start(daemon, Hocon(i));
            }

            foreach (var node in nodes)
            {
                await node!.WaitReadyAsync(patient, TimeSpan.FromSeconds(60));
            }

            await WaitForMembersAsync(http, nodes, 3, TimeSpan.FromSeconds(60));
            using (var pause = await http.PostAsync(new Uri(nodes[0]!.Address, "/api/pause"), null))
            {
                pause.EnsureSuccessStatusCode();
            }

            var rows = new List<string[]>();
            var answered = new List<double>();
            for (var run = 1; run <= runs; run++)
            {
                var cluster = await ClusterAsync(http, nodes[0]!) ?? await ClusterAsync(http, nodes[1]!) ?? throw new InvalidOperationException("no node answers /api/cluster");
                var oldest = cluster.GetProperty("oldest").GetString()!;
                var victim = Array.FindIndex(clusterPorts, p => oldest.EndsWith($":{p}", StringComparison.Ordinal));
                var survivors = Enumerable.Range(0, 3).Where(i => i != victim).Select(i => nodes[i]!).ToArray();

                var killed = Stopwatch.GetTimestamp();
                nodes[victim]!.KillHard();
                var (unreachable, removed, recovered) = await ObserveAsync(http, survivors, oldest, killed, TimeSpan.FromSeconds(120));
                rows.Add([run.ToString(CultureInfo.InvariantCulture), $"node-{victim + 1}", Seconds(unreachable), Seconds(removed), Seconds(recovered)]);
                if (recovered is { } r)
                {
                    answered.Add(r.TotalSeconds);
                }

                await nodes[victim]!.DisposeAsync();
                nodes[victim] = DaemonProcess.Start(daemon, Hocon(victim));
                await nodes[victim]!.WaitReadyAsync(patient, TimeSpan.FromSeconds(60));
                await WaitForMembersAsync(http, nodes, 3, TimeSpan.FromSeconds(60));
            }

            BenchmarkConsole.PrintTable(["run", "killed", "unreachable s", "removed s", "orchestrator answers s"], rows, textColumns: 2);
            if (answered.Count > 0)
            {
                Console.WriteLine($"# orchestrator answering with its state on another node: median {BenchmarkConsole.Median(answered):F2} s, " +
                    $"range {answered.Min():F2}–{answered.Max():F2} s over {answered.Count} run(s)");
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                if (node is not null)
                {
                    await node.DisposeAsync();
                }
            }
        }
    }

    private static async Task<(TimeSpan? Unreachable, TimeSpan? Removed, TimeSpan? Recovered)> ObserveAsync(
        HttpClient http, DaemonProcess[] survivors, string victim, long killed, TimeSpan limit)
    {
        TimeSpan? unreachable = null, removed = null, recovered = null;
        while (Stopwatch.GetElapsedTime(killed) < limit && (removed is null || recovered is null))
        {
            foreach (var survivor in survivors)
            {
                if (await ClusterAsync(http, survivor) is { } cluster)
                {
                    var member = cluster.GetProperty("members").EnumerateArray().FirstOrDefault(m => m.GetProperty("address").GetString() == victim);
                    if (member.ValueKind == JsonValueKind.Undefined || member.GetProperty("status").GetString() is "removed")
                    {
                        unreachable ??= Stopwatch.GetElapsedTime(killed);
                        removed ??= Stopwatch.GetElapsedTime(killed);
                    }
                    else if (!member.GetProperty("reachable").GetBoolean())
                    {
                        unreachable ??= Stopwatch.GetElapsedTime(killed);
                    }
                }

                if (recovered is null && await PausedAsync(http, survivor))
                {
                    recovered = Stopwatch.GetElapsedTime(killed);
                }
            }

            await Task.Delay(25);
        }

        return (unreachable, removed, recovered);
    }

    // The orchestrator answers through the survivor's singleton proxy, with the state it recovered from the journal.
    private static async Task<bool> PausedAsync(HttpClient http, DaemonProcess node)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(node.Address, "/api/status"));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return status.RootElement.GetProperty("autopilot") is { ValueKind: JsonValueKind.Object } autopilot && autopilot.GetProperty("paused").GetBoolean();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static async Task<JsonElement?> ClusterAsync(HttpClient http, DaemonProcess node)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(node.Address, "/api/cluster"));
            return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone() : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task WaitForMembersAsync(HttpClient http, DaemonProcess?[] nodes, int count, TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var views = await Task.WhenAll(nodes.Select(n => ClusterAsync(http, n!)));
            if (views.All(v => v is { } c && c.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == count
                && c.GetProperty("leases").EnumerateArray().All(l => l.GetProperty("held").GetBoolean())))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the cluster did not reach {count} Up members with held leases within {limit}.");
    }

    private static string Seconds(TimeSpan? value) => value is { } v ? v.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) : "-";
}
