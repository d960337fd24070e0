using Xunit;
using Autopilot.Actors.Configuration;

namespace Autopilot.Actors.Tests.Configuration;

/// <summary>Parses test documents with a controlled environment so that results never depend on the machine.</summary>
internal static class HoconText
{
    public static Config Parse(string text, IReadOnlyDictionary<string, string>? environment = null, string origin = "test.conf") =>
        ConfigurationFactory.ParseString(text, origin, Options(environment));

    public static ConfigurationParseOptions Options(IReadOnlyDictionary<string, string>? environment = null) =>
        new() { EnvironmentVariables = name => environment?.GetValueOrDefault(name) };

    public static HoconParseException ParseError(string text, string origin = "test.conf") =>
        Assert.Throws<HoconParseException>(() => Parse(text, origin: origin));
}
