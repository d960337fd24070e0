using System.Net;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway;
using Xunit;

namespace Autopilot.Platforms.Tests.Railway;

/// <summary>The demo app's health endpoint follows the service's deployments on the Railway fake.</summary>
public sealed class RailwayAppFakeTests
{
    [Fact]
    public async Task The_app_is_healthy_only_while_a_deployment_of_its_service_is_running()
    {
        await using var railway = new RailwayFake(TimeProvider.System);
        await railway.StartAsync();
        var service = railway.AddServiceWithProject("shop");
        var other = railway.AddServiceWithProject("other");
        await using var app = new RailwayAppFake(TimeProvider.System, railway, service.ServiceId);
        await app.StartAsync();
        using var http = new HttpClient();

        // Never deployed, then only a failed build and another service's success: down.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(app.HealthUrl)).StatusCode);
        railway.SeedDeployment(service.ServiceId, service.EnvironmentId, "aaa", DeploymentStatus.Failed);
        railway.SeedDeployment(other.ServiceId, other.EnvironmentId, "bbb", DeploymentStatus.Success);
        using (var down = await http.GetAsync(app.HealthUrl))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Contains("no deployment of the service is running", await down.Content.ReadAsStringAsync());
        }

        railway.SeedDeployment(service.ServiceId, service.EnvironmentId, "ccc", DeploymentStatus.Success);
        using var up = await http.GetAsync(app.HealthUrl);
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        Assert.Contains("\"commit\":\"ccc\"", await up.Content.ReadAsStringAsync());
        Assert.Empty(railway.Exchanges); // the probes are the app's, not Railway API calls
    }
}
