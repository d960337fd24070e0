using System.Net;
using System.Text.Json;
using Autopilot.Cli;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Cli.Tests;

/// <summary><c>gate &lt;commit&gt;</c>: the readiness gate's assessment, shown or run on demand.</summary>
public sealed class GateCommandTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private const string Sha = "4f2c9e1d0b7a6c5e4f3a2b1c0d9e8f7a6b5c4d3e";

    private const string Assessment = $$"""
        {
          "service": "demo-api", "commit": "{{Sha}}", "decision": "NO-GO", "at": "2026-12-03T18:00:00+00:00", "confidence": 90,
          "checks": [
            { "name": "tests", "passed": false, "details": "unit-tests concluded failure", "evidence": {}, "confidence": 95 },
            { "name": "documentation", "passed": true, "details": "README.md present", "evidence": {}, "confidence": 100 }
          ]
        }
        """;

    [Fact]
    public async Task A_commit_never_assessed_exits_1_saying_so_and_a_short_sha_is_a_usage_error()
    {
        var missing = await fixture.RunAsync(TestDaemon.ViewerToken, "gate", "abcdef1");
        var tooShort = await fixture.RunAsync(TestDaemon.ViewerToken, "gate", "abc");
        var runWithoutService = await fixture.RunAsync(TestDaemon.OperatorToken, "gate", "abcdef1", "--run");

        Assert.Equal(ExitCodes.Failed, missing.ExitCode);
        Assert.Contains("No readiness assessment of abcdef1", missing.Output + missing.Error);
        Assert.Equal(ExitCodes.Usage, tooShort.ExitCode);
        Assert.Equal(ExitCodes.Usage, runWithoutService.ExitCode);
    }

    [Fact]
    public async Task The_assessment_shows_the_decision_and_each_check_and_run_asks_for_one_for_the_service()
    {
        var daemon = new CannedDaemon()
            .Answer(HttpMethod.Get, $"/api/gate/{Sha[..7]}", HttpStatusCode.OK, Assessment)
            .Answer(HttpMethod.Post, $"/api/gate/{Sha[..7]}?service=demo-api", HttpStatusCode.OK, Assessment);

        var shown = await daemon.RunAsync("gate", Sha[..7]);
        var ran = await daemon.RunAsync("gate", Sha[..7], "--run", "--service", "demo-api", "--json");

        Assert.Equal(ExitCodes.Ok, shown.ExitCode);
        Assert.Contains("NO-GO", shown.Output);
        Assert.Contains(Sha, shown.Output);
        Assert.Single(shown.Output.Split('\n'), l => l.Contains("tests", StringComparison.Ordinal) && l.Contains("NO", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.Ok, ran.ExitCode);
        Assert.Equal("NO-GO", JsonDocument.Parse(ran.Output).RootElement.GetProperty("decision").GetString());
        Assert.Contains(daemon.Requests, r => r.Method == "POST" && r.Path == $"/api/gate/{Sha[..7]}?service=demo-api");
    }
}
