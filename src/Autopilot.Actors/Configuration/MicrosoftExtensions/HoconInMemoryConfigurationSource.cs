using Microsoft.Extensions.Configuration;

namespace Autopilot.Actors.Configuration.MicrosoftExtensions;

/// <summary>An already loaded <see cref="Config"/> (for example reference defaults merged with files) as a configuration source.</summary>
public sealed class HoconInMemoryConfigurationSource(Config config) : IConfigurationSource
{
    /// <summary>The configuration exposed by this source.</summary>
    public Config Config { get; } = config;

    /// <inheritdoc />
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new HoconInMemoryConfigurationProvider(Config);
}

/// <summary>Serves the flattened keys of a fixed <see cref="Config"/>.</summary>
public sealed class HoconInMemoryConfigurationProvider(Config config) : ConfigurationProvider
{
    /// <inheritdoc />
    public override void Load() => Data = ConfigurationKeyMap.Flatten(config);
}
