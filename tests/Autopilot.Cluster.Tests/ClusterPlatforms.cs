using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.GitHub;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Railway;
using Autopilot.Simulator.Telegram;

namespace Autopilot.Cluster.Tests;

/// <summary>
/// One Railway, GitHub and Telegram fake in the test process, shared by every node of the cluster. Each watched service
/// has its own repository (so its incident issues land there) and a last good deployment that serves; a commit scripted
/// to crash after SUCCESS replaces it, so the rollback is a real <c>deploymentRollback</c> call on Railway.
/// Every node gets its own credentials (<see cref="Credentials"/>), so each request at a fake tells which node made it.
/// </summary>
public sealed class ClusterPlatforms : IAsyncDisposable
{
    public const string Owner = "acme";
    public const long WorkflowId = 1001;
    public const long ChatId = 424242;

    private readonly Dictionary<string, RailwayFakeService> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lastGood = new(StringComparer.Ordinal);

    private ClusterPlatforms(RailwayFake railway, GitHubFake gitHub, TelegramFake telegram)
    {
        Railway = railway;
        GitHub = gitHub;
        Telegram = telegram;
    }

    public RailwayFake Railway { get; }

    public GitHubFake GitHub { get; }

    public TelegramFake Telegram { get; }

    public string WebhookSecret { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <summary>The Railway service of a watched service.</summary>
    public RailwayFakeService Service(string name) => _services[name];

    /// <summary>The deployment serving a watched service when the fixture started (the rollback target).</summary>
    public string LastGood(string name) => _lastGood[name];

    /// <summary>Starts the fakes with <paramref name="services"/> watched; Railway deployments move one status per <paramref name="step"/>.</summary>
    public static async Task<ClusterPlatforms> StartAsync(IEnumerable<string> services, TimeSpan step)
    {
        var time = TimeProvider.System;
        var platforms = new ClusterPlatforms(new RailwayFake(time, new RailwayFakeOptions(step)), new GitHubFake(time), new TelegramFake(time));
        await platforms.Railway.StartAsync();
        await platforms.GitHub.StartAsync();
        await platforms.Telegram.StartAsync();
        platforms.GitHub.AddRepository(Owner, "incidents");
        foreach (var name in services)
        {
            var service = platforms.Railway.AddServiceWithProject(name);
            platforms.GitHub.AddRepository(Owner, name);
            platforms.GitHub.AddWorkflow(Owner, name, WorkflowId, "ci.yml", "CI");
            var good = platforms.GitHub.PushCommit(Owner, name, "main", $"Initial {name}");
            // What the readiness gate asks of a deployable commit besides green checks: a README and a rollback plan.
            platforms.GitHub.AddFile(Owner, name, "README.md", $"# {name}\n");
            platforms.GitHub.AddTag(Owner, name, "v1.0.0", good);
            platforms.GitHub.AddWorkflowRun(Owner, name, WorkflowId, good, "completed", "success");
            platforms._lastGood[name] = platforms.Railway.SeedDeployment(service.ServiceId, service.EnvironmentId, good, DeploymentStatus.Success,
                time.GetUtcNow().AddHours(-1));
            platforms._services[name] = service;
        }

        return platforms;
    }

    /// <summary>The daemon configuration (a <c>--config</c> file) pointing every node at these fakes; credentials come per node from the environment.</summary>
    public string Configuration(IEnumerable<string> services)
    {
        var watched = string.Join('\n', services.Select(name => string.Create(CultureInfo.InvariantCulture, $$"""
                  "{{name}}" {
                    service-id = "{{_services[name].ServiceId}}"
                    environment-id = "{{_services[name].EnvironmentId}}"
                    repository = "{{Owner}}/{{name}}"
                    branch = "main"
                  }
            """)));
        return $$"""
            autopilot.http.rate-limit.permits = 1000000
            autopilot.platforms {
              railway { endpoint = "{{Railway.Endpoint}}", webhook-secret = "{{WebhookSecret}}" }
              github { api-url = "{{GitHub.BaseAddress}}", webhook-secret = "{{WebhookSecret}}" }
              telegram { api-url = "{{Telegram.BaseAddress}}", chat-id = "{{ChatId}}" }
            }
            autopilot.agents {
              orchestrator.cycle-interval = 2s
              railway {
                poll-interval = 250ms
                stable-after = 30s
                services {
            {{watched}}
                }
              }
              github.incident-repository = "{{Owner}}/incidents"
              # The scenarios restart an unexplained crash without asking (its confidence, 65, is in restart's default review band).
              confidence.actions.restart.act = 60
            }
            """;
    }

    /// <summary>Registers credentials for node number <paramref name="node"/> at every fake and returns them as environment variables.</summary>
    public NodeCredentials Credentials(int node)
    {
        var railway = $"railway-node{node}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var gitHub = $"ghp_node{node}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var telegram = $"{700000 + node}:node{node}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        Railway.AddAccountToken(railway);
        GitHub.AddPersonalToken(gitHub);
        Telegram.AddBot(telegram);
        return new NodeCredentials(railway, gitHub, telegram);
    }

    /// <summary>Makes the next deployment of <paramref name="service"/> crash after SUCCESS, then pushes a commit whose CI passed.</summary>
    public string PushCrashingCommit(string service, string message)
    {
        Railway.ScriptNextDeployment(_services[service].ServiceId, DeploymentScript.Crash("Error: listen EADDRINUSE", "process exited with code 1"));
        var sha = GitHub.PushCommit(Owner, service, "main", message);
        GitHub.AddWorkflowRun(Owner, service, WorkflowId, sha, "completed", "success");
        return sha;
    }

    /// <summary>Rollback deployments Railway made for <paramref name="service"/> (each one a <c>deploymentRollback</c> applied).</summary>
    public int Rollbacks(string service) => Railway.Deployments.Count(d => d.ServiceId == _services[service].ServiceId && d.RollbackOf is not null);

    /// <summary>Deployments of <paramref name="sha"/> Railway made.</summary>
    public int DeploymentsOf(string sha) => Railway.Deployments.Count(d => d.CommitHash == sha && d.RollbackOf is null);

    public int Issues(string service) => GitHub.Issues(Owner, service).Count + GitHub.Issues(Owner, "incidents").Count(i => i.Title.Contains(service, StringComparison.Ordinal));

    public IReadOnlyList<TelegramFakeMessage> AlertsAbout(string service) =>
        Telegram.MessagesIn(ChatId).Where(m => m.Text.Contains(service, StringComparison.Ordinal)).ToList();

    /// <summary>Requests at any fake made with <paramref name="credentials"/> that change something (not reads), received after <paramref name="since"/>.</summary>
    public IReadOnlyList<string> ChangesBy(NodeCredentials credentials, DateTimeOffset since)
    {
        var railway = Railway.Exchanges.Where(e => e.ReceivedAt > since && Header(e, "Authorization").Contains(credentials.Railway, StringComparison.Ordinal)
                                                   && e.RequestBody.Contains("mutation", StringComparison.Ordinal))
            .Select(e => $"railway {e.RequestBody}");
        var gitHub = GitHub.Exchanges.Where(e => e.ReceivedAt > since && e.Method != "GET" && Header(e, "Authorization").Contains(credentials.GitHub, StringComparison.Ordinal))
            .Select(e => $"github {e.Method} {e.Path}");
        var telegram = Telegram.Exchanges.Where(e => e.ReceivedAt > since && e.Path.Contains(credentials.Telegram, StringComparison.Ordinal)
                                                     && !e.Path.EndsWith("/getMe", StringComparison.Ordinal))
            .Select(e => $"telegram {e.Method} {e.Path.Replace(credentials.Telegram, "<token>", StringComparison.Ordinal)}");
        return railway.Concat(gitHub).Concat(telegram).ToList();
    }

    /// <summary>Every request at any fake made with <paramref name="credentials"/> after <paramref name="since"/> (reads too), described.</summary>
    public IReadOnlyList<string> RequestsBy(NodeCredentials credentials, DateTimeOffset since) =>
        Railway.Exchanges.Where(e => e.ReceivedAt > since && Header(e, "Authorization").Contains(credentials.Railway, StringComparison.Ordinal))
            .Select(e => $"railway {e.RequestBody[..Math.Min(120, e.RequestBody.Length)]}")
            .Concat(GitHub.Exchanges.Where(e => e.ReceivedAt > since && Header(e, "Authorization").Contains(credentials.GitHub, StringComparison.Ordinal))
                .Select(e => $"github {e.Method} {e.Path}"))
            .Concat(Telegram.Exchanges.Where(e => e.ReceivedAt > since && e.Path.Contains(credentials.Telegram, StringComparison.Ordinal))
                .Select(e => $"telegram {e.Method} {e.Path.Replace(credentials.Telegram, "<token>", StringComparison.Ordinal)}"))
            .ToList();

    private static string Header(RecordedExchange exchange, string name) => exchange.RequestHeaders.TryGetValue(name, out var value) ? value : "";

    /// <summary>A signed GitHub webhook delivery.</summary>
    public HttpRequestMessage GitHubDelivery(string eventType, string deliveryId, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", eventType);
        request.Headers.Add("X-GitHub-Delivery", deliveryId);
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(WebhookSecret), Encoding.UTF8.GetBytes(body));
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(signature));
        return request;
    }

    /// <summary>A <c>workflow_run</c> completed/success delivery for <paramref name="sha"/> of <paramref name="service"/>'s repository.</summary>
    public HttpRequestMessage WorkflowRunDelivery(string service, string sha, string deliveryId) => GitHubDelivery("workflow_run", deliveryId, $$$"""
        {"action":"completed","repository":{"full_name":"{{{Owner}}}/{{{service}}}"},"workflow_run":{"head_branch":"main","head_sha":"{{{sha}}}","status":"completed","conclusion":"success"}}
        """);

    /// <summary>A harmless <c>ping</c> delivery (recorded as received, changes nothing).</summary>
    public HttpRequestMessage PingDelivery(string deliveryId) => GitHubDelivery("ping", deliveryId, $$"""{"zen":"Keep it logically awesome.","hook_id":{{Math.Abs(deliveryId.GetHashCode())}}}""");

    public async ValueTask DisposeAsync()
    {
        await Railway.DisposeAsync();
        await GitHub.DisposeAsync();
        await Telegram.DisposeAsync();
    }
}

/// <summary>One node's credentials at the fakes.</summary>
public sealed record NodeCredentials(string Railway, string GitHub, string Telegram);
