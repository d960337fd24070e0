using Autopilot.Daemon.Runtime;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Railway;

namespace Autopilot.Daemon.Tests.Hosting;

public sealed class UnconfiguredPlatformTests
{
    [Fact]
    public async Task Every_call_of_an_unconfigured_client_fails_with_an_authentication_error_saying_what_to_set()
    {
        var railway = UnconfiguredPlatform.Create<IRailwayClient>("railway", "not configured: set RAILWAY_API_TOKEN");
        var github = UnconfiguredPlatform.Create<IGitHubClient>("github", "not configured: set GITHUB_TOKEN");

        var deploy = await Assert.ThrowsAsync<PlatformAuthenticationException>(() => railway.GetDeploymentAsync("d-1"));
        var issues = await Assert.ThrowsAnyAsync<PlatformException>(() => github.FindOpenIssuesAsync(GitHubRepository.Parse("o/r"), "label"));

        Assert.Equal("railway", deploy.Platform);
        Assert.Contains("RAILWAY_API_TOKEN", deploy.Message);
        Assert.False(deploy.IsTransient);
        Assert.Contains("GITHUB_TOKEN", issues.Message);
    }
}
