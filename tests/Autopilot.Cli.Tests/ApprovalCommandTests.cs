using System.Text.Json;
using Autopilot.Agents.Protocol;
using Autopilot.Cli;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Cli.Tests;

/// <summary>Issue 14 (3): <c>autopilot approvals</c>, <c>approve</c> and <c>reject</c> over the admin API.</summary>
public sealed class ApprovalCommandTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    [Fact]
    public async Task Approvals_are_listed_approved_once_with_exit_0_and_a_second_decision_exits_1()
    {
        var table = await fixture.RunAsync(TestDaemon.ViewerToken, "approvals");
        var json = await fixture.RunAsync(TestDaemon.ViewerToken, "approvals", "--json");
        var asViewer = await fixture.RunAsync(TestDaemon.ViewerToken, "approve", FakeOrchestrator.PendingApprovalId);
        var approve = await fixture.RunAsync(TestDaemon.OperatorToken, "approve", FakeOrchestrator.PendingApprovalId);
        var reject = await fixture.RunAsync(TestDaemon.OperatorToken, "reject", FakeOrchestrator.PendingApprovalId);
        var unknown = await fixture.RunAsync(TestDaemon.OperatorToken, "approve", "apr-nope");

        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Contains(FakeOrchestrator.PendingApprovalId, table.Output);
        Assert.Contains("1 pending approval(s)", table.Output);
        Assert.Equal(ExitCodes.Ok, json.ExitCode);
        Assert.Equal("rollback", JsonDocument.Parse(json.Output).RootElement.GetProperty("approvals")[0].GetProperty("action").GetString());
        Assert.Equal(ExitCodes.Unauthorized, asViewer.ExitCode);
        Assert.Equal(ExitCodes.Ok, approve.ExitCode);
        Assert.Contains("approved by operator (cli)", approve.Output);
        Assert.Equal(ExitCodes.Failed, reject.ExitCode);
        Assert.Contains("already approved", reject.Output);
        Assert.Equal(ExitCodes.Failed, unknown.ExitCode);
        Assert.Single(fixture.Daemon.Received.OfType<DecideApproval>(), d => d == new DecideApproval(FakeOrchestrator.PendingApprovalId, true, "operator", "cli"));
    }
}
