namespace Autopilot.Actors.Configuration;

/// <summary>Knobs for loading HOCON; the defaults suit production, tests replace the environment.</summary>
public sealed record ConfigurationParseOptions
{
    /// <summary>The options used when none are given.</summary>
    public static ConfigurationParseOptions Default { get; } = new();

    /// <summary>
    /// Consulted when a substitution such as <c>${?DATABASE_URL}</c> names a key the configuration does
    /// not contain. Defaults to the process environment; inject a dictionary lookup in tests.
    /// </summary>
    public Func<string, string?> EnvironmentVariables { get; init; } = Environment.GetEnvironmentVariable;
}
