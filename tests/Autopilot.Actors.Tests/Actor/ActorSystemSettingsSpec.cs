using Autopilot.Actors;
using Autopilot.Actors.Configuration;
using Autopilot.Actors.Event;
using Xunit;

namespace Autopilot.Actors.Tests.Actor;

public sealed class ActorSystemSettingsSpec
{
    [Fact]
    public void Defaults_come_from_the_embedded_reference_conf()
    {
        var settings = ActorSystemSettings.FromConfig(Config.Empty);
        Assert.Equal(30, settings.Throughput);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.AskTimeout);
        Assert.False(settings.DefaultMailbox.IsBounded);
        Assert.Equal(LogLevel.Info, settings.LogLevel);
        Assert.Contains(settings.Shutdown.Phases, p => p.Name == CoordinatedShutdown.PhaseActorSystemTerminate);
    }

    [Fact]
    public void Every_runtime_key_in_reference_conf_is_commented()
    {
        var text = new StreamReader(typeof(ActorSystem).Assembly.GetManifestResourceStream("Autopilot.Actors.reference.conf")!).ReadToEnd();
        var lines = text.Split('\n').Select(l => l.Trim()).ToArray();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var isSetting = line.Contains('=') && !line.StartsWith('#') && !line.Contains('{');
            if (isSetting)
            {
                Assert.True(lines[i - 1].StartsWith('#'), $"reference.conf line {i + 1} '{line}' has no comment above it");
            }
        }
    }

    [Fact]
    public void A_bad_value_names_the_key()
    {
        var config = ConfigurationFactory.ParseString("autopilot.actor.default-mailbox.overflow = block", "autopilot.conf");
        var error = Assert.Throws<ConfigurationException>(() => ActorSystem.Create("bad", config));
        Assert.Contains("autopilot.actor.default-mailbox.overflow", error.Message);
        Assert.Contains("block", error.Message);
        Assert.Contains("autopilot.conf:1", error.Message);
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_the_key_and_where_it_was_set()
    {
        var config = ConfigurationFactory.ParseString("autopilot {\n  actor {\n    ask-timeout = soon\n  }\n}", "autopilot.conf");
        var error = Assert.Throws<ConfigurationException>(() => ActorSystem.Create("bad", config));
        Assert.Contains("autopilot.actor.ask-timeout", error.Message);
        Assert.Contains("autopilot.conf:3", error.Message);
    }
}
