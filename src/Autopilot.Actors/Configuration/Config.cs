using System.Globalization;
using Autopilot.Actors.Configuration.Rendering;

namespace Autopilot.Actors.Configuration;

/// <summary>
/// An immutable, fully resolved configuration tree with typed accessors. Paths are dotted
/// (<c>akka.actor.ask-timeout</c>); quote a segment to include a dot in a key.
/// Accessors without a default throw <see cref="ConfigurationException"/> naming the full key path
/// (including the path this config was taken from with <see cref="GetConfig"/>), and type errors
/// also name the file and line the value came from.
/// </summary>
public sealed class Config
{
    private readonly IReadOnlyList<string> _pathPrefix;

    /// <summary>Wraps a resolved object tree.</summary>
    public Config(HoconObject root)
        : this(root, [])
    {
    }

    private Config(HoconObject root, IReadOnlyList<string> pathPrefix)
    {
        Root = root;
        _pathPrefix = pathPrefix;
    }

    private delegate bool ScalarConverter<T>(HoconScalar scalar, out T value);

    /// <summary>A configuration with no keys.</summary>
    public static Config Empty { get; } = new(HoconObject.Empty);

    /// <summary>The resolved tree at this config's root.</summary>
    public HoconObject Root { get; }

    /// <summary>True when there are no keys at all.</summary>
    public bool IsEmpty => Root.Count == 0;

    /// <summary>The absolute path this config was taken from (empty for a top-level config), used in error messages.</summary>
    public string PathPrefix => HoconPath.Format(_pathPrefix);

    /// <summary>True when the path exists and is not <c>null</c>.</summary>
    public bool HasPath(string path) => Find(path, out _) is { } value && value is not HoconScalar { IsNull: true };

    /// <summary>The raw value at a path (the <c>null</c> scalar included).</summary>
    /// <exception cref="ConfigurationException">The path does not exist.</exception>
    public HoconValue GetValue(string path) =>
        Find(path, out var fullPath) ?? throw Missing(fullPath);

    /// <summary>
    /// The sub-tree at a path as its own config. A missing or null path yields an empty config
    /// (so optional sections need no special casing) that still reports full paths in errors.
    /// </summary>
    /// <exception cref="ConfigurationException">The value at the path is not an object.</exception>
    public Config GetConfig(string path)
    {
        var value = Find(path, out var fullPath);
        var prefix = _pathPrefix.Concat(HoconPath.Parse(path)).ToArray();
        return value switch
        {
            null or HoconScalar { IsNull: true } => new Config(HoconObject.Empty, prefix),
            HoconObject obj => new Config(obj, prefix),
            _ => throw WrongType(fullPath, value, "an object"),
        };
    }

    /// <summary>The string at a path; numbers and booleans are returned as written.</summary>
    public string GetString(string path) => Get<string>(path, "a string", ReadString);

    /// <summary>The string at a path, or <paramref name="defaultValue"/> when it is missing or null.</summary>
    public string? GetString(string path, string? defaultValue) => GetOrDefault(path, defaultValue, "a string", ReadString);

    /// <summary>A 32-bit integer.</summary>
    public int GetInt(string path) => Get<int>(path, "a 32-bit integer", ReadInt);

    /// <summary>A 32-bit integer, or the default when missing or null.</summary>
    public int GetInt(string path, int defaultValue) => GetOrDefault(path, defaultValue, "a 32-bit integer", ReadInt);

    /// <summary>A 64-bit integer.</summary>
    public long GetLong(string path) => Get<long>(path, "a 64-bit integer", ReadLong);

    /// <summary>A 64-bit integer, or the default when missing or null.</summary>
    public long GetLong(string path, long defaultValue) => GetOrDefault(path, defaultValue, "a 64-bit integer", ReadLong);

    /// <summary>A floating point number.</summary>
    public double GetDouble(string path) => Get<double>(path, "a number", ReadDouble);

    /// <summary>A floating point number, or the default when missing or null.</summary>
    public double GetDouble(string path, double defaultValue) => GetOrDefault(path, defaultValue, "a number", ReadDouble);

    /// <summary>A boolean; accepts true/false, on/off and yes/no in any letter case.</summary>
    public bool GetBoolean(string path) => Get<bool>(path, BooleanDescription, ReadBoolean);

    /// <summary>A boolean, or the default when missing or null.</summary>
    public bool GetBoolean(string path, bool defaultValue) => GetOrDefault(path, defaultValue, BooleanDescription, ReadBoolean);

    /// <summary>A duration such as <c>5s</c>, <c>100 ms</c> or <c>infinite</c>; a bare number is milliseconds.</summary>
    public TimeSpan GetTimeSpan(string path) => Get<TimeSpan>(path, DurationDescription, ReadDuration);

    /// <summary>A duration, or the default when missing or null.</summary>
    public TimeSpan GetTimeSpan(string path, TimeSpan defaultValue) => GetOrDefault(path, defaultValue, DurationDescription, ReadDuration);

    /// <summary>A size in bytes such as <c>10k</c>, <c>64 KiB</c> or <c>1MB</c>; a bare number is bytes.</summary>
    public long GetByteSize(string path) => Get<long>(path, ByteSizeDescription, ReadByteSize);

    /// <summary>A size in bytes, or the default when missing or null.</summary>
    public long GetByteSize(string path, long defaultValue) => GetOrDefault(path, defaultValue, ByteSizeDescription, ReadByteSize);

    /// <summary>An array of scalars as strings.</summary>
    public IReadOnlyList<string> GetStringList(string path)
    {
        var value = Find(path, out var fullPath) ?? throw Missing(fullPath);
        return ReadStringList(value, fullPath);
    }

    /// <summary>An array of scalars as strings, or the default when missing or null.</summary>
    public IReadOnlyList<string> GetStringList(string path, IReadOnlyList<string> defaultValue)
    {
        var value = Find(path, out var fullPath);
        return value is null or HoconScalar { IsNull: true } ? defaultValue : ReadStringList(value, fullPath);
    }

    /// <summary>
    /// Layers this config over <paramref name="fallback"/>: keys present here win, objects present in
    /// both are merged key by key. Typical use: <c>application.WithFallback(reference)</c>.
    /// </summary>
    public Config WithFallback(Config fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        return ReferenceEquals(fallback, this) || fallback.IsEmpty
            ? this
            : new Config(HoconObject.Merge(fallback.Root, Root), _pathPrefix);
    }

    /// <summary>The top-level keys and their values, in the order they were written.</summary>
    public IEnumerable<KeyValuePair<string, HoconValue>> AsEnumerable() => Root;

    /// <summary>The configuration as HOCON text with secret-looking values masked, so it is safe to log.</summary>
    public override string ToString() => HoconRenderer.Render(this, HoconRenderOptions.Default);

    private const string BooleanDescription = "a boolean (true/false, on/off, yes/no)";
    private const string DurationDescription = "a duration (e.g. 5s, 100 ms, 2 minutes, infinite)";
    private const string ByteSizeDescription = "a byte size (e.g. 512, 10k, 64 KiB, 1MB)";

    private T Get<T>(string path, string expected, ScalarConverter<T> converter)
    {
        var value = Find(path, out var fullPath) ?? throw Missing(fullPath);
        if (value is HoconScalar { IsNull: true })
        {
            throw new ConfigurationException(
                $"Configuration key '{fullPath}' is null at {value.Origin}, but {expected} is required.", fullPath);
        }

        return Convert(value, path, fullPath, expected, converter);
    }

    private T GetOrDefault<T>(string path, T defaultValue, string expected, ScalarConverter<T> converter)
    {
        var value = Find(path, out var fullPath);
        return value is null or HoconScalar { IsNull: true } ? defaultValue : Convert(value, path, fullPath, expected, converter);
    }

    private T Convert<T>(HoconValue value, string path, string fullPath, string expected, ScalarConverter<T> converter)
    {
        if (value is not HoconScalar scalar)
        {
            throw WrongType(fullPath, value, expected);
        }

        if (!converter(scalar, out var result))
        {
            var isSecret = _pathPrefix.Concat(HoconPath.Parse(path)).Any(SecretKeyPattern.IsSecret);
            var shown = isSecret ? "(hidden: secret key)" : $"'{scalar.Text}'";
            throw new ConfigurationException(
                $"Configuration key '{fullPath}' at {value.Origin} has value {shown}, which is not {expected}.", fullPath);
        }

        return result;
    }

    private static IReadOnlyList<string> ReadStringList(HoconValue value, string fullPath)
    {
        if (value is not HoconArray array)
        {
            throw WrongType(fullPath, value, "a list of strings");
        }

        var items = new List<string>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not HoconScalar { IsNull: false } scalar)
            {
                throw WrongType($"{fullPath}[{i}]", array[i], "a string");
            }

            items.Add(scalar.Text);
        }

        return items;
    }

    private HoconValue? Find(string path, out string fullPath)
    {
        var segments = HoconPath.Parse(path);
        fullPath = HoconPath.Format(_pathPrefix.Concat(segments));
        HoconValue current = Root;
        foreach (var segment in segments)
        {
            if (current is not HoconObject obj || !obj.TryGetValue(segment, out var child))
            {
                return null;
            }

            current = child;
        }

        return current;
    }

    private static ConfigurationException Missing(string fullPath) =>
        new($"Missing configuration key '{fullPath}'.", fullPath);

    private static ConfigurationException WrongType(string fullPath, HoconValue value, string expected)
    {
        var article = value.TypeName[0] is 'a' or 'o' ? "an" : "a";
        return new ConfigurationException(
            $"Configuration key '{fullPath}' at {value.Origin} is {article} {value.TypeName}, but {expected} was expected.", fullPath);
    }

    private static bool ReadString(HoconScalar scalar, out string value)
    {
        value = scalar.Text;
        return true;
    }

    private static bool ReadInt(HoconScalar scalar, out int value) =>
        int.TryParse(scalar.Text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool ReadLong(HoconScalar scalar, out long value) =>
        long.TryParse(scalar.Text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool ReadDouble(HoconScalar scalar, out double value) =>
        double.TryParse(scalar.Text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static bool ReadBoolean(HoconScalar scalar, out bool value)
    {
        switch (scalar.Text.Trim().ToLowerInvariant())
        {
            case "true" or "on" or "yes":
                value = true;
                return true;
            case "false" or "off" or "no":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    private static bool ReadDuration(HoconScalar scalar, out TimeSpan value) => HoconDuration.TryParse(scalar.Text, out value);

    private static bool ReadByteSize(HoconScalar scalar, out long value) => HoconByteSize.TryParse(scalar.Text, out value);
}
