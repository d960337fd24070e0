using Microsoft.Extensions.Configuration;

namespace Autopilot.Actors.Configuration.MicrosoftExtensions;

/// <summary>Registers HOCON sources on an <see cref="IConfigurationBuilder"/>.</summary>
public static class HoconConfigurationExtensions
{
    /// <summary>Adds a HOCON file; relative paths resolve against the builder's base path, like JSON files.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The file.</param>
    /// <param name="optional">When true a missing file contributes nothing instead of failing the build.</param>
    /// <param name="reloadOnChange">Reload when the file changes on disk.</param>
    /// <param name="parseOptions">Substitution options (environment lookup); defaults when null.</param>
    public static IConfigurationBuilder AddHoconFile(
        this IConfigurationBuilder builder,
        string path,
        bool optional = false,
        bool reloadOnChange = false,
        ConfigurationParseOptions? parseOptions = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return builder.Add<HoconConfigurationSource>(source =>
        {
            source.Path = path;
            source.Optional = optional;
            source.ReloadOnChange = reloadOnChange;
            source.ParseOptions = parseOptions;
            source.ResolveFileProvider();
        });
    }

    /// <summary>Adds an already loaded configuration.</summary>
    public static IConfigurationBuilder AddHocon(this IConfigurationBuilder builder, Config config)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(config);
        return builder.Add(new HoconInMemoryConfigurationSource(config));
    }
}
