using Autopilot.Platforms.Tests.Support;
using System.Net;
using System.Text;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Railway;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Tests.GitHub;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Platforms.Tests.Railway;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Railway;
using Xunit;

namespace Autopilot.Platforms.Tests.SecretLeaks;

/// <summary>
/// Runs the clients through success, failure and retry paths with known secrets and proves none of them reaches
/// a log line, an exception message or a recorded snippet.
/// </summary>
public sealed class SecretLeakTests
{
    private static void AssertNoSecret(IEnumerable<string> texts, IEnumerable<string> secrets)
    {
        var all = texts.ToArray();
        Assert.NotEmpty(all);
        foreach (var secret in secrets)
        {
            var leak = all.FirstOrDefault(t => t.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"A secret leaked into: {leak}");
        }
    }

    private static async Task<Exception> Capture(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException("Expected the call to fail.");
    }

    [Fact]
    public async Task Railway_tokens_and_variable_values_never_leak()
    {
        const string variableValue = "postgres://app:Tr0ub4dor-and-3@db.internal/prod";
        const string wrongToken = "rw-acct-wrong-5b8f3e2d1c";
        await using var bed = await RailwayTestBed.StartAsync();
        var client = bed.CreateClient();
        var svc = bed.Service;
        var failures = new List<Exception>();

        var id = await client.DeployServiceAsync(svc.ServiceId, svc.EnvironmentId, null);
        await client.GetDeploymentAsync(id);
        await client.UpsertVariableAsync(new VariableUpsert(svc.ProjectId, svc.EnvironmentId, svc.ServiceId, "DATABASE_URL", variableValue));
        failures.Add(await Capture(() => bed.CreateClient(wrongToken).GetDeploymentAsync(id)));
        failures.Add(await Capture(() => client.UpsertVariableAsync(new VariableUpsert(svc.ProjectId, "no-such-env", null, "DATABASE_URL", variableValue))));
        bed.Fake.RespondRateLimited(TimeSpan.FromSeconds(3));
        var retried = client.GetDeploymentAsync(id);
        bed.Clock.Advance(await bed.Clock.WhenDelayRequested(d => d != RailwayTestBed.AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30)));
        await retried.WaitAsync(TimeSpan.FromSeconds(30));

        var options = new RailwayClientOptions(RailwayTestBed.AccountToken, RailwayTokenKind.Account);
        var upsert = new VariableUpsert("p", "e", null, "DATABASE_URL", variableValue);
        AssertNoSecret(
            bed.Logger.Lines.Concat(failures.Select(f => f.ToString())).Append(options.ToString()).Append(upsert.ToString()),
            [RailwayTestBed.AccountToken, wrongToken, variableValue]);
        Assert.Contains(bed.Logger.Lines, l => l.Contains("Retrying railway call"));
    }

    [Fact]
    public async Task A_server_that_echoes_credentials_back_has_them_redacted_from_errors_and_logs()
    {
        const string token = "rw-acct-echoed-9a7c5e3b1d";
        var handler = new EchoingHandler();
        var logger = new CapturingLogger();
        var client = new RailwayClient(new HttpClient(handler),
            new RailwayClientOptions(token, RailwayTokenKind.Account) { Call = RailwayTestBed.CallOptions with { MaxAttempts = 1 } },
            new ObservableFakeTimeProvider(), new Redactor(), logger);

        var error = await Capture(() => client.GetDeploymentAsync("d1"));

        Assert.IsType<PlatformUnavailableException>(error);
        AssertNoSecret(logger.Lines.Append(error.ToString()), [token]);
        Assert.Contains(Redactor.Mask, error.Message);
    }

    [Fact]
    public async Task GitHub_private_key_jwt_installation_and_personal_tokens_never_leak()
    {
        const string pat = "ghp_personal0123456789abcdefXYZ";
        await using var bed = await GitHubTestBed.StartAsync();
        var pem = bed.AppKeyPem;
        using var tokens = bed.CreateAppTokenSource();
        var client = bed.CreateClient(tokens);
        var failures = new List<Exception>();

        var installationToken = await tokens.GetTokenAsync(CancellationToken.None);
        var jwt = bed.Fake.Exchanges.Single().RequestHeaders["Authorization"]["Bearer ".Length..];
        await client.CreateIssueAsync(bed.Repository, new NewIssue("t", "b", ["x"]));
        failures.Add(await Capture(() => client.CreatePullRequestAsync(bed.Repository, new NewPullRequest("x", "missing", "main"))));
        bed.Redactor.Register(pat);
        failures.Add(await Capture(() => bed.CreateClient(new PersonalAccessTokenSource(pat)).CreateIssueAsync(bed.Repository, new NewIssue("t", "b", []))));
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        var otherPem = otherKey.ExportRSAPrivateKeyPem();
        using var wrongSource = bed.CreateAppTokenSource(otherPem);
        failures.Add(await Capture(() => wrongSource.GetTokenAsync(CancellationToken.None).AsTask()));
        failures.Add(Assert.Throws<ArgumentException>(() => bed.CreateAppTokenSource(pem[..200])));

        var credentials = new GitHubAppCredentials(GitHubTestBed.AppId, GitHubTestBed.InstallationId, pem);
        var keyBody = pem.Split('\n')[1];
        AssertNoSecret(
            bed.Logger.Lines.Concat(failures.Select(f => f.ToString())).Append(credentials.ToString()),
            [installationToken, jwt, pat, keyBody, otherPem.Split('\n')[1]]);
        // The exchange is logged (without the token: Octokit reads the body, the client logs only the operation and expiry).
        Assert.Contains(bed.Logger.Lines, l => l.Contains("obtained an installation token"));
    }

    private sealed class EchoingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)
            {
                Content = new StringContent($"upstream error; request had Authorization: {request.Headers.Authorization}", Encoding.UTF8, "text/plain"),
            });
    }
}
