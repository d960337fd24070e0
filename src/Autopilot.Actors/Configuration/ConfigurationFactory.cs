using System.Reflection;
using Autopilot.Actors.Configuration.Parsing;

namespace Autopilot.Actors.Configuration;

/// <summary>
/// Entry points for loading HOCON. Every result is fully resolved: substitutions and includes are
/// processed at load time, so a broken configuration fails at startup rather than on first use.
/// </summary>
public static class ConfigurationFactory
{
    /// <summary>A configuration with no keys; the neutral element of <see cref="Config.WithFallback"/>.</summary>
    public static Config Empty => Config.Empty;

    /// <summary>Parses HOCON text.</summary>
    /// <param name="text">The document.</param>
    /// <param name="origin">
    /// Name used in error messages and origins; when it is a file path, includes are resolved relative
    /// to its directory, otherwise relative to the current directory.
    /// </param>
    /// <param name="options">Environment lookup and other knobs; <see cref="ConfigurationParseOptions.Default"/> when null.</param>
    /// <exception cref="HoconParseException">Syntax error, missing include or unresolvable substitution.</exception>
    public static Config ParseString(string text, string? origin = null, ConfigurationParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var name = origin ?? "<string>";
        var baseDirectory = origin is null
            ? Directory.GetCurrentDirectory()
            : Path.GetDirectoryName(Path.GetFullPath(origin)) ?? Directory.GetCurrentDirectory();
        return Load(new TextDocumentSource(name, text, baseDirectory), options);
    }

    /// <summary>Parses a HOCON file; includes inside it are relative to the file's directory.</summary>
    /// <exception cref="ConfigurationException">The file does not exist or cannot be read.</exception>
    /// <exception cref="HoconParseException">The content is invalid.</exception>
    public static Config ParseFile(string path, ConfigurationParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new ConfigurationException($"Configuration file '{fullPath}' not found.");
        }

        return Load(new FileDocumentSource(fullPath), options);
    }

    /// <summary>
    /// Parses a HOCON document embedded in an assembly, typically a library's <c>reference.conf</c> holding
    /// its defaults. Plain includes inside it name sibling resources of the same assembly.
    /// </summary>
    /// <exception cref="ConfigurationException">The assembly has no such resource.</exception>
    public static Config FromResource(Assembly assembly, string resourceName, ConfigurationParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(resourceName);
        return Load(new ResourceDocumentSource(assembly, resourceName), options);
    }

    private static Config Load(HoconDocumentSource source, ConfigurationParseOptions? options)
    {
        var environment = (options ?? ConfigurationParseOptions.Default).EnvironmentVariables;
        try
        {
            var tree = HoconParser.Parse(source);
            return new Config(HoconResolver.Resolve(tree, environment));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"Could not read configuration '{source.Name}': {e.Message}", null, e);
        }
    }
}
