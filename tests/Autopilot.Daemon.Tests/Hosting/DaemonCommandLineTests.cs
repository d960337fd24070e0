using Autopilot.Daemon.Hosting;

namespace Autopilot.Daemon.Tests.Hosting;

public sealed class DaemonCommandLineTests
{
    [Fact]
    public void No_arguments_means_defaults_only()
    {
        Assert.Equal(new DaemonCommandLine(null, false, false), DaemonCommandLine.Parse([]));
    }

    [Theory]
    [InlineData(new[] { "--config", "a.conf", "--simulate" }, "a.conf", true)]
    [InlineData(new[] { "--config=b.conf" }, "b.conf", false)]
    [InlineData(new[] { "-c", "c.conf" }, "c.conf", false)]
    public void Options_are_read(string[] args, string config, bool simulate)
    {
        var parsed = DaemonCommandLine.Parse(args);

        Assert.Equal((config, simulate), (parsed.ConfigFile, parsed.Simulate));
    }

    [Theory]
    [InlineData(new[] { "--config" }, "--config needs a file path")]
    [InlineData(new[] { "--config", "--simulate" }, "--config needs a file path")]
    [InlineData(new[] { "--port", "1" }, "Unknown option '--port'")]
    public void Bad_arguments_are_a_clear_error(string[] args, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => DaemonCommandLine.Parse(args));

        Assert.Contains(message, error.Message);
    }
}
