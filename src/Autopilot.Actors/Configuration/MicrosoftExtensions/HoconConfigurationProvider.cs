using Microsoft.Extensions.Configuration;

namespace Autopilot.Actors.Configuration.MicrosoftExtensions;

/// <summary>
/// Loads a HOCON file into Microsoft.Extensions.Configuration. Includes are resolved relative to
/// the file's physical location when the file provider exposes one.
/// </summary>
public sealed class HoconConfigurationProvider(HoconConfigurationSource source) : FileConfigurationProvider(source)
{
    /// <inheritdoc />
    public override void Load(Stream stream)
    {
        var physicalPath = Source.FileProvider?.GetFileInfo(Source.Path ?? string.Empty).PhysicalPath;
        using var reader = new StreamReader(stream);
        var config = ConfigurationFactory.ParseString(reader.ReadToEnd(), physicalPath ?? Source.Path, source.ParseOptions);
        Data = ConfigurationKeyMap.Flatten(config);
    }
}
