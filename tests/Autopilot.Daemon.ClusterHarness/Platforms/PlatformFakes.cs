using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.GitHub;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Railway;
using Autopilot.Simulator.Telegram;

namespace Autopilot.Daemon.ClusterHarness.Platforms;

/// <summary>
/// The Railway, GitHub and Telegram fakes the whole cluster shares, running in the test process: one watched
/// service with a healthy deployment, its repository (whose green commits on <c>main</c> deploy, and where incident
/// issues go) and a chat for alerts. Each node gets its own
/// credentials (<see cref="AddNode"/>), so every recorded request names its sender.
/// </summary>
public sealed class PlatformFakes : IAsyncDisposable
{
    /// <summary>The watched service's name in the autopilot's configuration.</summary>
    public const string ServiceName = "shop-api";

    /// <summary>Owner of the service's repository on the GitHub fake (its <c>main</c> deploys; incident issues go there too).</summary>
    public const string RepositoryOwner = "acme";

    /// <summary>Name of the service's repository on the GitHub fake.</summary>
    public const string RepositoryName = "shop-api";

    /// <summary>Id of the repository's CI workflow.</summary>
    public const long CiWorkflowId = 1001;

    /// <summary>The Telegram chat alerts go to.</summary>
    public const long AlertChat = 777001;

    private readonly string _developerToken;
    private readonly List<NodeCredentials> _nodes = [];

    private PlatformFakes(RailwayFake railway, GitHubFake gitHub, TelegramFake telegram, RailwayFakeService service, string lastGood, string developerToken)
    {
        Railway = railway;
        GitHub = gitHub;
        Telegram = telegram;
        Service = service;
        LastGoodDeploymentId = lastGood;
        _developerToken = developerToken;
        WebhookSecret = RandomSecret();
    }

    /// <summary>The Railway fake.</summary>
    public RailwayFake Railway { get; }

    /// <summary>The GitHub fake.</summary>
    public GitHubFake GitHub { get; }

    /// <summary>The Telegram fake.</summary>
    public TelegramFake Telegram { get; }

    /// <summary>Ids of the watched service on Railway.</summary>
    public RailwayFakeService Service { get; }

    /// <summary>The healthy deployment the service runs at the start: what a rollback goes back to.</summary>
    public string LastGoodDeploymentId { get; }

    /// <summary>Shared secret of the Railway webhook (every node accepts it).</summary>
    public string WebhookSecret { get; }

    /// <summary>Issues in the incident repository.</summary>
    public IReadOnlyList<GitHubFakeIssue> Issues => GitHub.Issues(RepositoryOwner, RepositoryName);

    /// <summary>Messages in the alert chat.</summary>
    public IReadOnlyList<TelegramFakeMessage> AlertMessages => Telegram.MessagesIn(AlertChat);

    /// <summary>Starts the fakes on loopback and seeds them.</summary>
    /// <param name="deploymentStep">Time a Railway deployment spends in each status (on the real clock).</param>
    public static async Task<PlatformFakes> StartAsync(TimeSpan deploymentStep)
    {
        var railway = new RailwayFake(TimeProvider.System, new RailwayFakeOptions(deploymentStep));
        var gitHub = new GitHubFake(TimeProvider.System);
        var telegram = new TelegramFake(TimeProvider.System);
        try
        {
            await railway.StartAsync().ConfigureAwait(false);
            await gitHub.StartAsync().ConfigureAwait(false);
            await telegram.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await railway.DisposeAsync().ConfigureAwait(false);
            await gitHub.DisposeAsync().ConfigureAwait(false);
            await telegram.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var service = railway.AddServiceWithProject(ServiceName);
        var lastGood = railway.SeedDeployment(service.ServiceId, service.EnvironmentId, new string('a', 40), DeploymentStatus.Success,
            TimeProvider.System.GetUtcNow().AddHours(-1));
        var developerToken = RandomSecret();
        railway.AddAccountToken(developerToken);
        gitHub.AddRepository(RepositoryOwner, RepositoryName);
        gitHub.AddWorkflow(RepositoryOwner, RepositoryName, CiWorkflowId, "ci.yml", "CI");
        return new PlatformFakes(railway, gitHub, telegram, service, lastGood, developerToken);
    }

    /// <summary>Creates credentials for one more node and makes every fake accept them.</summary>
    public NodeCredentials AddNode()
    {
        var credentials = new NodeCredentials(RandomSecret(), RandomSecret(),
            string.Create(CultureInfo.InvariantCulture, $"{RandomNumberGenerator.GetInt32(100000, 999999)}:{RandomSecret()}"));
        Railway.AddAccountToken(credentials.RailwayToken);
        GitHub.AddPersonalToken(credentials.GitHubToken);
        Telegram.AddBot(credentials.TelegramBotToken);
        _nodes.Add(credentials);
        return credentials;
    }

    /// <summary>
    /// A developer ships a release that crashes at runtime (deployed through Railway's API with the developer's own
    /// token, not by the autopilot): the autopilot should restart it once, and when it crashes again roll back to
    /// <see cref="LastGoodDeploymentId"/>, open one incident issue and send one CRITICAL alert.
    /// </summary>
    /// <returns>The new deployment's id.</returns>
    public async Task<string> ShipCrashingReleaseAsync()
    {
        Railway.ScriptNextDeployment(Service.ServiceId, DeploymentScript.Crash(
            "TypeError: Cannot read properties of undefined (reading 'port')", "    at start (/app/server.js:12:31)"));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Railway.Endpoint)
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["query"] = "mutation Ship($serviceId: String!, $environmentId: String!, $commitSha: String) "
                            + "{ serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId, commitSha: $commitSha) }",
                ["variables"] = new JsonObject { ["serviceId"] = Service.ServiceId, ["environmentId"] = Service.EnvironmentId, ["commitSha"] = new string('b', 40) },
            }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _developerToken);
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
               && data.TryGetProperty("serviceInstanceDeployV2", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()!
            : throw new InvalidOperationException($"The Railway fake refused the release: {body}");
    }

    /// <summary>A developer pushes a commit to <c>main</c> and CI passes on it: the autopilot should deploy it, once.</summary>
    /// <returns>The commit's SHA.</returns>
    public string PushGreenCommit(string message)
    {
        var sha = GitHub.PushCommit(RepositoryOwner, RepositoryName, "main", message);
        GitHub.AddWorkflowRun(RepositoryOwner, RepositoryName, CiWorkflowId, sha, "completed", "success");
        return sha;
    }

    /// <summary>Railway requests selecting <paramref name="rootField"/> (e.g. <c>deploymentRollback</c>), from anyone.</summary>
    public IReadOnlyList<RailwayFakeCall> RailwayCalls(string rootField) =>
        Railway.Calls.Where(c => c.RootFields.Contains(rootField)).ToArray();

    /// <summary>Every request the fakes answered that carried <paramref name="node"/>'s credentials, oldest first.</summary>
    public IReadOnlyList<PlatformRequest> RequestsBy(NodeCredentials node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return AllRequests().Where(r => node.Sent(r.Exchange)).Select(r => r.Request).ToArray();
    }

    /// <summary>A summary of what the fakes saw, for a failed test's output (credentials masked).</summary>
    public string Describe()
    {
        var lines = new List<string>
        {
            $"Railway deployments: {string.Join("; ", Railway.Deployments.Select(d => $"{d.Id} {d.Status}{(d.RollbackOf is null ? "" : $" rollback of {d.RollbackOf}")}"))}",
            $"GitHub issues: {string.Join("; ", Issues.Select(i => $"#{i.Number} {i.Title} ({i.Comments.Count} comments)"))}",
            $"Telegram messages: {string.Join("; ", AlertMessages.Select(m => m.Text.Split('\n')[0]))}",
            "Requests by node credentials:",
        };
        for (var i = 0; i < _nodes.Count; i++)
        {
            var node = _nodes[i];
            lines.Add($"  node #{i + 1}: {string.Join(", ", RequestsBy(node).Select(r => $"{r.ReceivedAt:HH:mm:ss.fff} {r.Platform} {r.What} {r.StatusCode}"))}");
        }

        return string.Join('\n', lines);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Railway.DisposeAsync().ConfigureAwait(false);
        await GitHub.DisposeAsync().ConfigureAwait(false);
        await Telegram.DisposeAsync().ConfigureAwait(false);
    }

    private IEnumerable<(RecordedExchange Exchange, PlatformRequest Request)> AllRequests() =>
        Railway.Exchanges.Select(e => (e, new PlatformRequest("railway", e.Method, RailwayOperation(e), e.StatusCode, e.ReceivedAt)))
            .Concat(GitHub.Exchanges.Select(e => (e, new PlatformRequest("github", e.Method, e.Path, e.StatusCode, e.ReceivedAt))))
            .Concat(Telegram.Exchanges.Select(e => (e, new PlatformRequest("telegram", e.Method, MaskBotToken(e.Path), e.StatusCode, e.ReceivedAt))))
            .OrderBy(r => r.Item2.ReceivedAt);

    private static string RailwayOperation(RecordedExchange exchange)
    {
        try
        {
            using var body = JsonDocument.Parse(exchange.RequestBody);
            return body.RootElement.TryGetProperty("operationName", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()!
                : "(anonymous operation)";
        }
        catch (JsonException)
        {
            return "(unparsable body)";
        }
    }

    private static string MaskBotToken(string path) =>
        path.StartsWith("/bot", StringComparison.Ordinal) && path.IndexOf('/', 4) is var end and > 4 ? "/bot***" + path[end..] : path;

    private static string RandomSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
}
