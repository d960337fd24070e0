using Autopilot.Actors.Configuration;
using Autopilot.Actors.Configuration.MicrosoftExtensions;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Autopilot.Actors.Tests.Configuration;

public sealed class HoconConfigurationProviderTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Hocon_file_keys_map_to_colon_separated_keys()
    {
        var file = _directory.Write("app.conf", """
            daemon {
              http.port = 8080
              poll-interval = 30s
              seeds = [node-a, node-b]
              servers = [{ host = a }]
              optional = null
              empty {}
            }
            """);

        var configuration = new ConfigurationBuilder().AddHoconFile(file).Build();

        Assert.Equal("8080", configuration["daemon:http:port"]);
        Assert.Equal("30s", configuration["daemon:poll-interval"]);
        Assert.Equal("node-a", configuration["daemon:seeds:0"]);
        Assert.Equal("node-b", configuration["daemon:seeds:1"]);
        Assert.Equal("a", configuration["daemon:servers:0:host"]);
        Assert.Null(configuration["daemon:optional"]);
        Assert.Equal(["empty", "http", "optional", "poll-interval", "seeds", "servers"],
            configuration.GetSection("daemon").GetChildren().Select(c => c.Key).Order());
    }

    [Fact]
    public void Values_bind_to_options_classes()
    {
        var file = _directory.Write("app.conf", "http { host = example, port = 9000, names = [x, y] }");

        var options = new ConfigurationBuilder().AddHoconFile(file).Build().GetSection("http").Get<HttpOptions>();

        Assert.NotNull(options);
        Assert.Equal("example", options.Host);
        Assert.Equal(9000, options.Port);
        Assert.Equal(["x", "y"], options.Names);
    }

    [Fact]
    public void Includes_resolve_relative_to_the_file_and_environment_is_injectable()
    {
        _directory.Write("conf/base.conf", "base.value = from-include");
        var file = _directory.Write("conf/app.conf", "include \"base.conf\"\ntoken = ${?API_TOKEN}");
        var environment = new Dictionary<string, string> { ["API_TOKEN"] = "t-1" };

        var configuration = new ConfigurationBuilder()
            .AddHoconFile(file, parseOptions: HoconText.Options(environment))
            .Build();

        Assert.Equal("from-include", configuration["base:value"]);
        Assert.Equal("t-1", configuration["token"]);
    }

    [Fact]
    public void Optional_missing_file_contributes_nothing_and_required_missing_file_fails()
    {
        var missing = Path.Combine(_directory.Path, "missing.conf");

        var configuration = new ConfigurationBuilder().AddHoconFile(missing, optional: true).Build();

        Assert.Empty(configuration.AsEnumerable());
        Assert.Throws<FileNotFoundException>(() => new ConfigurationBuilder().AddHoconFile(missing).Build());
    }

    [Fact]
    public void Parse_errors_surface_with_file_line_and_column()
    {
        var file = _directory.Write("bad.conf", "a {\n  b = 1\n");

        // The file provider base class wraps load failures; the HOCON error with its position is the cause.
        var error = Assert.Throws<InvalidDataException>(() => new ConfigurationBuilder().AddHoconFile(file).Build());

        var parseError = Assert.IsType<HoconParseException>(error.InnerException);
        Assert.Equal(3, parseError.Line);
        Assert.Contains("bad.conf:3:1:", parseError.Message);
    }

    [Fact]
    public void A_loaded_config_can_be_added_and_later_sources_override_it()
    {
        var config = HoconText.Parse("a.b = 1\na.c = [x]");

        var configuration = new ConfigurationBuilder()
            .AddHocon(config)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["a:b"] = "2" })
            .Build();

        Assert.Equal("2", configuration["a:b"]);
        Assert.Equal("x", configuration["a:c:0"]);
    }

    [Fact]
    public void Keys_are_case_insensitive_like_other_providers()
    {
        var configuration = new ConfigurationBuilder().AddHocon(HoconText.Parse("Daemon.Port = 1")).Build();

        Assert.Equal("1", configuration["daemon:port"]);
    }

    private sealed class HttpOptions
    {
        public string Host { get; set; } = string.Empty;

        public int Port { get; set; }

        public List<string> Names { get; set; } = [];
    }
}
