using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway;

namespace Autopilot.Daemon.ClusterTests;

/// <summary>The Railway fake's hook the scenarios aim with: the mutation is applied, its answer waits for the test.</summary>
public sealed class AnswerHoldTests
{
    [Fact]
    public async Task A_held_rollback_is_applied_at_once_and_answered_only_after_the_release()
    {
        await using var railway = new RailwayFake(TimeProvider.System);
        await railway.StartAsync();
        railway.AddAccountToken("hold-test-token");
        var service = railway.AddServiceWithProject("api");
        var good = railway.SeedDeployment(service.ServiceId, service.EnvironmentId, new string('1', 40), DeploymentStatus.Removed);
        var hold = railway.HoldAnswersTo("deploymentRollback");
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "hold-test-token");

        var answer = http.PostAsync(railway.Endpoint, JsonContent.Create(new JsonObject
        {
            ["query"] = "mutation Rollback($id: String!) { deploymentRollback(id: $id) }",
            ["variables"] = new JsonObject { ["id"] = good },
        }));
        await hold.Reached.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Single(railway.Deployments, d => d.RollbackOf == good);
        Assert.False(answer.IsCompleted);
        hold.Release();
        using var response = await answer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("\"deploymentRollback\":true", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, hold.Applied);
    }
}
