using Akka.Configuration;
using Autopilot.Agents.Configuration;
using Autopilot.Agents.Fallback;
using Autopilot.Platforms.Redaction;
using Xunit;

namespace Autopilot.Agents.Tests.Fallback;

public sealed class CommandTierSafetyTests
{
    private const string Hostile = "wf\"; touch /tmp/autopilot-pwned-$(id -u) #";

    private static FallbackTier Tier(params string[] command) =>
        new("local", FallbackTierKind.Command, TimeSpan.FromSeconds(5), null, command);

    [Fact]
    public void Inputs_become_single_literal_arguments_and_never_the_executable()
    {
        var start = FallbackTierRunner.StartInfoFor(Tier("systemctl", "start", "worker@{task}", "--", "{workflow}"), new FallbackJob("invoices", Hostile, "7", "504"));
        Assert.Equal("systemctl", start.FileName);
        Assert.False(start.UseShellExecute);
        Assert.Equal(["start", "worker@invoices", "--", Hostile], start.ArgumentList);
    }

    [Fact]
    public async Task A_hostile_workflow_id_reaches_the_process_verbatim_and_runs_nothing()
    {
        var marker = $"/tmp/autopilot-pwned-{Environment.GetEnvironmentVariable("UID") ?? ""}";
        var runner = new FallbackTierRunner(new HttpClient(), new Redactor(), TimeProvider.System);
        var detail = await runner.RunAsync(Tier("printf", "[%s]", "{workflow}"), new FallbackJob("invoices", Hostile, "7", "504"), CancellationToken.None);
        Assert.Equal($"exit 0: [{Hostile}]", detail);
        Assert.False(File.Exists(marker) && File.GetLastWriteTimeUtc(marker) > DateTime.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public async Task A_non_zero_exit_is_a_typed_failure()
    {
        var runner = new FallbackTierRunner(new HttpClient(), new Redactor(), TimeProvider.System);
        var failure = await Assert.ThrowsAsync<FallbackTierFailedException>(() =>
            runner.RunAsync(Tier("false"), new FallbackJob("t", "w", "e", "r"), CancellationToken.None));
        Assert.Equal("local", failure.Tier);
        Assert.Contains("exit 1", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Placeholders_in_the_executable_and_unknown_kinds_stop_start_up()
    {
        var badExecutable = ConfigurationFactory.ParseString("""
            tiers.x { kind = command, command = ["{task}", "run"] }
            order = [x]
            """);
        var error = Assert.Throws<SettingException>(() => FallbackSettings.FromConfig(new ConfigSection(badExecutable, "")));
        Assert.Equal("tiers.x.command", error.Key);
        Assert.Contains("placeholders", error.Message, StringComparison.Ordinal);

        var badKind = ConfigurationFactory.ParseString("""
            tiers.x { kind = ftp, url = "http://127.0.0.1/" }
            order = [x]
            """);
        Assert.Throws<SettingException>(() => FallbackSettings.FromConfig(new ConfigSection(badKind, "")));
    }

    [Fact]
    public void Tiers_are_read_in_order_with_per_kind_default_timeouts()
    {
        var settings = FallbackSettings.FromConfig(new ConfigSection(ConfigurationFactory.ParseString("""
            tasks { "wf-1" = invoices, "Nightly report" = report }
            tiers {
              backup-api { kind = http, url = "http://127.0.0.1:9/run" }
              local { kind = command, command = ["systemctl", "start", "worker@{task}"] }
              other-n8n { kind = n8n, url = "http://127.0.0.1:9/webhook/fallback", timeout = 45s }
            }
            order = [backup-api, local, other-n8n]
            """), ""));
        Assert.Equal(["backup-api", "local", "other-n8n"], settings.Tiers.Select(t => t.Name));
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(45)], settings.Tiers.Select(t => t.Timeout));
        Assert.Equal("invoices", settings.TaskOf("wf-1"));
        Assert.Equal("report", settings.TaskOf("wf-9", "Nightly report"));
        Assert.Null(settings.TaskOf("wf-9"));
    }
}
