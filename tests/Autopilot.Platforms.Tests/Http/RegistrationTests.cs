using Autopilot.Platforms.Tests.Support;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Railway;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Tests.GitHub;
using Autopilot.Platforms.Tests.Railway;
using Autopilot.Simulator.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Autopilot.Platforms.Tests.Http;

/// <summary>The DI registrations produce working clients that share the clock, redactor and token cache.</summary>
public sealed class RegistrationTests
{
    private static ServiceCollection Services(ObservableFakeTimeProvider clock, CapturingLogger logger)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<ILoggerFactory>(logger);
        return services;
    }

    [Fact]
    public async Task AddRailwayClient_yields_a_client_that_talks_to_the_configured_endpoint()
    {
        await using var bed = await RailwayTestBed.StartAsync();
        var services = Services(bed.Clock, bed.Logger);
        services.AddRailwayClient(_ => new RailwayClientOptions(RailwayTestBed.AccountToken, RailwayTokenKind.Account) { Endpoint = bed.Fake.Endpoint });
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IRailwayClient>();
        var id = await client.DeployServiceAsync(bed.Service.ServiceId, bed.Service.EnvironmentId, null);

        Assert.NotNull(bed.Fake.GetDeployment(id));
        Assert.Contains(Redactor.Mask, provider.GetRequiredService<Redactor>().Redact(RailwayTestBed.AccountToken));
    }

    [Fact]
    public async Task AddGitHubAppClient_shares_one_installation_token_cache_across_client_instances()
    {
        await using var bed = await GitHubTestBed.StartAsync();
        var services = Services(bed.Clock, bed.Logger);
        services.AddGitHubAppClient(_ => bed.Options, _ => new GitHubAppCredentials(GitHubTestBed.AppId, GitHubTestBed.InstallationId, bed.AppKeyPem));
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IGitHubClient>().CreateIssueAsync(bed.Repository, new NewIssue("a", "b", []));
        await provider.GetRequiredService<IGitHubClient>().CreateIssueAsync(bed.Repository, new NewIssue("c", "d", []));

        Assert.Equal(1, bed.Fake.TokenExchanges);
        Assert.Equal(2, bed.Fake.Issues(GitHubTestBed.Owner, GitHubTestBed.RepoName).Count);
    }

    [Fact]
    public async Task AddGitHubTokenClient_uses_the_personal_token_and_registers_it_as_a_secret()
    {
        await using var bed = await GitHubTestBed.StartAsync();
        bed.Fake.AddPersonalToken("ghp_registered_pat_123456");
        var services = Services(bed.Clock, bed.Logger);
        services.AddGitHubTokenClient(_ => bed.Options, _ => "ghp_registered_pat_123456");
        await using var provider = services.BuildServiceProvider();

        var issue = await provider.GetRequiredService<IGitHubClient>().CreateIssueAsync(bed.Repository, new NewIssue("a", "b", []));

        Assert.Equal(1, issue.Number);
        Assert.Equal(Redactor.Mask, provider.GetRequiredService<Redactor>().Redact("ghp_registered_pat_123456"));
    }
}
