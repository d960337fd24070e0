using Microsoft.Extensions.Configuration;

namespace Autopilot.Actors.Configuration.MicrosoftExtensions;

/// <summary>
/// A HOCON file as a Microsoft.Extensions.Configuration source, so hosting, options binding and
/// reload-on-change work with the same files the actor runtime reads.
/// </summary>
public sealed class HoconConfigurationSource : FileConfigurationSource
{
    /// <summary>Options for substitutions (e.g. the environment lookup); defaults when null.</summary>
    public ConfigurationParseOptions? ParseOptions { get; set; }

    /// <inheritdoc />
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new HoconConfigurationProvider(this);
    }
}
