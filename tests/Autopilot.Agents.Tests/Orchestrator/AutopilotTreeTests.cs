using Autopilot.Actors;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Orchestrator;

/// <summary>The tree as the daemon builds it: configuration plus clients, nothing hand-wired.</summary>
public sealed class AutopilotTreeTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    [Fact]
    public async Task The_tree_built_from_configuration_deploys_a_green_commit_and_alerts_through_its_own_outbox()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Success, Time.GetUtcNow().AddHours(-1));
        var orchestrator = AutopilotTree.Start(Sys, Configuration(), new AutopilotClients(RailwayClient, GitHubClient, Telegram: TelegramClient));

        var status = await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), TimeSpan.FromSeconds(10));
        Assert.Equal(Service, Assert.Single(status.Services).Service);
        Assert.Equal(AutopilotTree.OrchestratorName, orchestrator.Path.Name);

        RailwayFake.ScriptNextDeployment(RailwayService.ServiceId, Autopilot.Simulator.Railway.DeploymentScript.Crash("FATAL ERROR: JavaScript heap out of memory"));
        var sha = PushGreenCommit(orchestrator, "Cache everything");
        // The alerts worker delivers to Telegram and GitHub concurrently: wait for both channels.
        await AdvanceUntilAsync(
            () => AlertChatMessages.Any(m => m.Text.Contains("scale up")) && GitHubFake.Issues(Owner, RepoName).Any(i => i.Title.Contains("scale up")),
            "the CRITICAL alert delivered to Telegram and GitHub by the tree's alerts worker");

        Assert.Single(RailwayFake.Deployments, d => d.CommitHash == sha);
        Assert.Contains(GitHubFake.Issues(Owner, RepoName), i => i.Title.Contains("scale up"));
        Assert.Contains(AuditTrail(), e => e is Decided { Situation: "crashed-out-of-memory" });
    }
}
