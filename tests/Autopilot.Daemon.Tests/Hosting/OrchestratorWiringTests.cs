using System.Security.Cryptography;
using Autopilot.Daemon.Hosting;
using Autopilot.Daemon.Runtime;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Simulator.GitHub;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Daemon.Tests.Hosting;

public sealed class OrchestratorWiringTests
{
    [Fact]
    public async Task A_configured_GitHub_App_authenticates_with_its_private_key_while_unconfigured_platforms_leave_the_tree_running()
    {
        await using var github = new GitHubFake(TimeProvider.System);
        await github.StartAsync();
        using var key = RSA.Create(2048);
        github.RegisterApp("4242", key, installationId: 77);
        var workDir = Directory.CreateTempSubdirectory("autopilot-wiring-test").FullName;
        var pem = Path.Combine(workDir, "app.pem");
        await File.WriteAllTextAsync(pem, key.ExportRSAPrivateKeyPem());
        try
        {
            var app = DaemonHost.Build(new DaemonHostOptions
            {
                Overrides = $$"""
                    autopilot.http.port = 0
                    autopilot.persistence.journal.plugin = inmem
                    autopilot.platforms.github {
                      api-url = "{{github.BaseAddress}}"
                      app-id = "4242"
                      installation-id = "77"
                      private-key-path = "{{pem}}"
                    }
                    """,
                EnvironmentVariables = _ => null,
                WorkingDirectory = workDir,
                OrchestratorFactory = OrchestratorWiring.Create,
                LogOutput = TextWriter.Null,
                ConfigureWebHost = web => web.UseTestServer(),
            });
            await using (app)
            {
                await app.StartAsync();
                var runtime = app.Services.GetRequiredService<DaemonRuntime>();
                await runtime.Started.WaitAsync(TimeSpan.FromSeconds(60));

                Assert.Null(runtime.StartupFailure);
                await Poll.UntilAsync(() => runtime.IsReady, "the daemon to be ready");
                await Poll.UntilAsync(() => github.TokenExchanges > 0, "the installation token exchange signed with the App key");
                await app.StopAsync();
            }
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }
}
