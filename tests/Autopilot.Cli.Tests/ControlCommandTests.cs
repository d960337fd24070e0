using System.Text.Json;
using Autopilot.Agents.Protocol;
using Autopilot.Cli;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Cli.Tests;

public sealed class ControlCommandTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    [Fact]
    public async Task Pause_resume_dry_run_drill_and_ack_reach_the_orchestrator()
    {
        var pause = await fixture.RunAsync(TestDaemon.OperatorToken, "pause");
        var dryRun = await fixture.RunAsync(TestDaemon.OperatorToken, "dry-run", "off", "--json");
        var drill = await fixture.RunAsync(TestDaemon.OperatorToken, "drill", "deployment-failed");
        var ack = await fixture.RunAsync(TestDaemon.OperatorToken, "incidents", "ack", "inc-1");

        Assert.Equal((ExitCodes.Ok, ExitCodes.Ok, ExitCodes.Ok, ExitCodes.Ok), (pause.ExitCode, dryRun.ExitCode, drill.ExitCode, ack.ExitCode));
        Assert.Contains("accepted: paused", pause.Output);
        Assert.True(JsonDocument.Parse(dryRun.Output).RootElement.GetProperty("accepted").GetBoolean());
        Assert.Contains(new RunDrill("deployment-failed"), fixture.Daemon.Received);
        Assert.Contains(new AcknowledgeIncident("inc-1", "operator"), fixture.Daemon.Received);
    }

    [Fact]
    public async Task Rollback_needs_an_admin_token_and_reports_a_refusal_with_exit_1()
    {
        var asOperator = await fixture.RunAsync(TestDaemon.OperatorToken, "rollback", "demo-api");
        var asAdmin = await fixture.RunAsync(TestDaemon.AdminToken, "rollback", "demo-api");
        var refused = await fixture.RunAsync(TestDaemon.AdminToken, "rollback", "nope");

        Assert.Equal(ExitCodes.Unauthorized, asOperator.ExitCode);
        Assert.Contains("Forbidden", asOperator.Error);
        Assert.Equal(ExitCodes.Ok, asAdmin.ExitCode);
        Assert.Contains("rolling back demo-api", asAdmin.Output);
        Assert.Equal(ExitCodes.Failed, refused.ExitCode);
        Assert.Contains("refused: unknown service nope", refused.Output);
    }

    [Fact]
    public async Task Migrate_needs_an_operator_token_sends_the_target_and_dry_run_and_reports_a_refusal_with_exit_1()
    {
        var plan = await fixture.RunAsync(TestDaemon.OperatorToken, "migrate", "app", "--dry-run");
        var migrate = await fixture.RunAsync(TestDaemon.OperatorToken, "migrate", "app");
        var unknown = await fixture.RunAsync(TestDaemon.OperatorToken, "migrate", "billing");
        var viewer = await fixture.RunAsync(TestDaemon.ViewerToken, "migrate", "app");

        Assert.Equal(ExitCodes.Ok, plan.ExitCode);
        Assert.Contains("accepted: dry-run: would back up app and apply V3__add_index.sql", plan.Output);
        Assert.Equal(ExitCodes.Ok, migrate.ExitCode);
        Assert.Contains(new Autopilot.Agents.Migrations.RunMigrations("app", true, "operator"), fixture.Daemon.Received);
        Assert.Contains(new Autopilot.Agents.Migrations.RunMigrations("app", false, "operator"), fixture.Daemon.Received);
        Assert.Equal(ExitCodes.Failed, unknown.ExitCode);
        Assert.Contains("refused: unknown migration target \"billing\"", unknown.Output);
        Assert.Equal(ExitCodes.Unauthorized, viewer.ExitCode);
    }

    [Fact]
    public async Task A_missing_or_wrong_token_exits_4_with_a_clear_message()
    {
        var missing = await fixture.RunAsync(null, "pause");
        var wrong = await fixture.RunAsync("this-is-not-a-valid-token", "actors", "tree");
        var viewer = await fixture.RunAsync(TestDaemon.ViewerToken, "pause");

        Assert.Equal(ExitCodes.Unauthorized, missing.ExitCode);
        Assert.Contains("AUTOPILOT_TOKEN", missing.Error);
        Assert.Equal(ExitCodes.Unauthorized, wrong.ExitCode);
        Assert.Contains("refused the token", wrong.Error);
        Assert.DoesNotContain("this-is-not-a-valid-token", wrong.Error);
        Assert.Equal(ExitCodes.Unauthorized, viewer.ExitCode);
    }

    [Fact]
    public async Task The_token_option_wins_over_the_environment()
    {
        var run = await CliRun.ExecAsync(new Dictionary<string, string> { ["AUTOPILOT_TOKEN"] = "wrong-token-from-env" },
            "--host", fixture.Host, "--token", TestDaemon.OperatorToken, "resume");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
    }

    [Theory]
    [InlineData("dry-run", "maybe")]
    [InlineData("rollback")]
    [InlineData("frobnicate")]
    [InlineData("cluster", "down")]
    [InlineData("cluster", "leave", "10.0.0.1:4061", "10.0.0.2:4061")]
    [InlineData("audit", "query", "--phase", "dance")]
    public async Task Usage_errors_exit_2(params string[] args)
    {
        var run = await fixture.RunAsync(TestDaemon.AdminToken, args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("autopilot --help", run.Error);
    }
}
