using Autopilot.Agents.Configuration;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.SelfWatch;

namespace Autopilot.Daemon.Tests.SelfWatch;

public sealed class SelfWatchSettingsTests
{
    private static SelfWatchSettings Load(string? hocon = null) => SelfWatchSettings.FromConfig(DaemonConfiguration.Load(null, hocon, _ => null));

    [Fact]
    public void The_defaults_watch_every_condition_with_the_design_notes_thresholds()
    {
        var settings = Load();

        Assert.True(settings.Enabled);
        Assert.Equal(0.05, settings.PlatformErrors.MaxRatio);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.PlatformErrors.Window);
        Assert.Equal(0.8, settings.Disk.Max);
        Assert.Equal(512L * 1024 * 1024, settings.Memory.MaxBytes);
        Assert.Equal([("intake", 1000L, TimeSpan.FromMinutes(1)), ("tasks", 100L, TimeSpan.FromMinutes(10))],
            settings.Queues.Select(q => (q.Queue, q.MaxDepth, q.For)).OrderBy(q => q.Queue, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("autopilot.self-watch.disk.max-used-ratio = 80", "autopilot.self-watch.disk.max-used-ratio")]
    [InlineData("autopilot.self-watch.platform-errors.window = soon", "autopilot.self-watch.platform-errors.window")]
    [InlineData("autopilot.self-watch.latency.api.p95-target = 0s", "autopilot.self-watch.latency.api.p95-target")]
    [InlineData("autopilot.self-watch.memory.max-rss = lots", "autopilot.self-watch.memory.max-rss")]
    [InlineData("autopilot.self-watch.lease.for = -5s", "autopilot.self-watch.lease.for")]
    [InlineData("autopilot.self-watch.queue-depth.intake.max-depth = 0", "autopilot.self-watch.queue-depth.intake.max-depth")]
    [InlineData("autopilot.self-watch.queue-depth.mailroom { max-depth = 5, for = 1m }", "autopilot.self-watch.queue-depth.mailroom")]
    public void A_malformed_value_names_its_key(string hocon, string key)
    {
        var error = Assert.Throws<SettingException>(() => Load(hocon));

        Assert.Equal(key, error.Key);
        Assert.Contains(key, error.Message);
    }
}
