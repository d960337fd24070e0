using System.Collections.Frozen;
using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Autopilot.Agents.Configuration;

/// <summary>
/// A strict reader over a section of an Akka <see cref="Akka.Configuration.Config"/>. Akka's own getters return a
/// default for a missing key and are lenient about malformed values; settings that must stop start-up when they are
/// wrong use this instead. Accessors without a default throw <see cref="SettingException"/> for a missing, null or
/// malformed key; accessors with a default use it only when the key is missing or <c>null</c> (a malformed value
/// still throws). Every error names the full dotted key (the section's <see cref="PathPrefix"/> plus the key).
/// Paths are dotted; quote a segment to include a dot in a key (<c>"my.workflow"</c>).
/// </summary>
/// <remarks>
/// Value rules (kept from the former home-made runtime): integers are plain decimal numbers; booleans accept
/// true/false, on/off and yes/no in any letter case; durations are a number with an optional unit
/// (<c>5s</c>, <c>100 ms</c>, <c>2 minutes</c>, <c>1.5h</c>) or <c>infinite</c>, a bare number meaning milliseconds;
/// byte sizes are a number with an optional unit (<c>k</c>/<c>KiB</c> = 1024, <c>kB</c> = 1000), a bare number meaning
/// bytes; string lists must be arrays of non-null scalars.
/// </remarks>
public sealed class ConfigSection
{
    private const string BooleanDescription = "a boolean (true/false, on/off, yes/no)";
    private const string DurationDescription = "a duration (e.g. 5s, 100 ms, 2 minutes, infinite)";
    private const string ByteSizeDescription = "a byte size (e.g. 512, 10k, 64 KiB, 1MB)";

    private static readonly string[] SecretMarkers = ["token", "secret", "password", "key"];
    private static readonly FrozenDictionary<string, double> TicksPerUnit = BuildDurationUnits();
    private static readonly FrozenDictionary<string, double> BytesPerUnit = BuildByteUnits();

    private delegate bool Converter<T>(string text, out T value);

    /// <summary>Takes the section at <paramref name="path"/> of <paramref name="root"/> (the whole config for an empty path).</summary>
    /// <param name="root">A resolved Akka config, usually the application config layered over the reference defaults.</param>
    /// <param name="path">The full dotted path of the section, e.g. <c>autopilot.agents</c>.</param>
    /// <exception cref="SettingException">The value at <paramref name="path"/> exists but is not an object.</exception>
    public ConfigSection(Config root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(path);
        PathPrefix = path;
        if (path.Length == 0)
        {
            Config = root;
            return;
        }

        var value = Find(root, path);
        if (value is not null && !value.IsObject())
        {
            throw new SettingException(path, $"is {Describe(value)}, but an object was expected.");
        }

        Config = value is null ? Config.Empty : root.GetConfig(path) ?? Config.Empty;
    }

    /// <summary>The full dotted path this section was taken from (empty for the root), used in error messages.</summary>
    public string PathPrefix { get; }

    /// <summary>The underlying Akka config of this section (keys relative to <see cref="PathPrefix"/>).</summary>
    public Config Config { get; }

    /// <summary>True when there are no keys at all.</summary>
    public bool IsEmpty => Config.IsEmpty || !Keys.Any();

    /// <summary>The names of this section's direct children, in the order they were written.</summary>
    public IReadOnlyList<string> Keys =>
        Config.IsEmpty ? [] : Config.AsEnumerable().Select(kv => kv.Key).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The full dotted key of <paramref name="path"/> in this section, as error messages name it.</summary>
    public string KeyOf(string path) => PathPrefix.Length == 0 ? path : $"{PathPrefix}.{path}";

    /// <summary>
    /// <paramref name="key"/> as one path segment: returned as is when it is a plain name (letters, digits, '-', '_'),
    /// otherwise quoted, so a key holding a dot (e.g. a workflow name) is not split into a path.
    /// </summary>
    public static string Quote(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? key
            : $"\"{key.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
    }

    /// <summary>True when the path exists and is not <c>null</c>.</summary>
    public bool HasPath(string path) => Find(Config, path) is not null;

    /// <summary>
    /// The sub-section at a path. A missing or null path yields an empty section (so optional sections need no
    /// special casing) that still reports full keys in errors.
    /// </summary>
    /// <exception cref="SettingException">The value at the path is not an object.</exception>
    public ConfigSection GetConfig(string path)
    {
        var value = Find(Config, path);
        if (value is null)
        {
            return new ConfigSection(Config.Empty, KeyOf(path), empty: true);
        }

        if (!value.IsObject())
        {
            throw new SettingException(KeyOf(path), $"is {Describe(value)}, but an object was expected.");
        }

        return new ConfigSection(Config.GetConfig(path) ?? Config.Empty, KeyOf(path), empty: true);
    }

    /// <summary>The string at a path; numbers and booleans are returned as written.</summary>
    public string GetString(string path) => Get<string>(path, "a string", ReadString);

    /// <summary>The string at a path, or <paramref name="defaultValue"/> when it is missing or null.</summary>
    public string? GetString(string path, string? defaultValue) => GetOrDefault(path, defaultValue, "a string", ReadNullableString);

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

    /// <summary>A duration above zero (an interval, a timeout, a window): anything else names the key.</summary>
    public TimeSpan GetPositiveTimeSpan(string path) => Positive(path, GetTimeSpan(path));

    /// <summary>A duration above zero, or the default when missing or null.</summary>
    public TimeSpan GetPositiveTimeSpan(string path, TimeSpan defaultValue) => Positive(path, GetTimeSpan(path, defaultValue));

    /// <summary>A 32-bit integer of at least <paramref name="minimum"/> (a count, a limit): anything less names the key.</summary>
    public int GetIntAtLeast(string path, int minimum) => AtLeast(path, minimum, GetInt(path));

    /// <summary>A 32-bit integer of at least <paramref name="minimum"/>, or the default when missing or null.</summary>
    public int GetIntAtLeast(string path, int minimum, int defaultValue) => AtLeast(path, minimum, GetInt(path, defaultValue));

    private TimeSpan Positive(string path, TimeSpan value) =>
        value > TimeSpan.Zero ? value : throw new SettingException(KeyOf(path), $"must be a positive duration (was {value}).");

    private int AtLeast(string path, int minimum, int value) =>
        value >= minimum ? value : throw new SettingException(KeyOf(path), $"must be at least {minimum} (was {value}).");

    /// <summary>A duration, or the default when missing or null.</summary>
    public TimeSpan GetTimeSpan(string path, TimeSpan defaultValue) => GetOrDefault(path, defaultValue, DurationDescription, ReadDuration);

    /// <summary>A size in bytes such as <c>10k</c>, <c>64 KiB</c> or <c>1MB</c>; a bare number is bytes.</summary>
    public long GetByteSize(string path) => Get<long>(path, ByteSizeDescription, ReadByteSize);

    /// <summary>A size in bytes, or the default when missing or null.</summary>
    public long GetByteSize(string path, long defaultValue) => GetOrDefault(path, defaultValue, ByteSizeDescription, ReadByteSize);

    /// <summary>An array of scalars as strings.</summary>
    public IReadOnlyList<string> GetStringList(string path)
    {
        var value = Find(Config, path) ?? throw Missing(path);
        return ReadStringList(value, path);
    }

    /// <summary>An array of scalars as strings, or the default when missing or null.</summary>
    public IReadOnlyList<string> GetStringList(string path, IReadOnlyList<string> defaultValue)
    {
        var value = Find(Config, path);
        return value is null ? defaultValue : ReadStringList(value, path);
    }

    /// <summary>The section's path and the names of its keys, never their values: a section may hold secrets, and a
    /// string of it can end up in a log or an exception message.</summary>
    public override string ToString() => $"{(PathPrefix.Length == 0 ? "(root)" : PathPrefix)} {{ {string.Join(", ", Keys)} }}";

    /// <summary>Parses a duration the way <see cref="GetTimeSpan(string)"/> does; <c>infinite</c> gives <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(text);
        duration = default;
        var trimmed = text.Trim();
        if (string.Equals(trimmed, "infinite", StringComparison.OrdinalIgnoreCase))
        {
            duration = Timeout.InfiniteTimeSpan;
            return true;
        }

        if (!TrySplitUnit(trimmed, out var number, out var unit))
        {
            return false;
        }

        var ticksPerUnit = unit.Length == 0 ? TimeSpan.TicksPerMillisecond : TicksPerUnit.GetValueOrDefault(unit);
        if (ticksPerUnit == 0)
        {
            return false;
        }

        var ticks = Math.Round(number * ticksPerUnit);
        if (double.IsNaN(ticks) || ticks > TimeSpan.MaxValue.Ticks || ticks < TimeSpan.MinValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    /// <summary>Parses a byte size the way <see cref="GetByteSize(string)"/> does.</summary>
    public static bool TryParseByteSize(string text, out long bytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        bytes = 0;
        if (!TrySplitUnit(text.Trim(), out var number, out var unit))
        {
            return false;
        }

        var multiplier = unit.Length == 0 ? 1 : BytesPerUnit.GetValueOrDefault(unit);
        if (multiplier == 0 || number < 0)
        {
            return false;
        }

        var value = number * multiplier;
        if (value >= long.MaxValue || value != Math.Floor(value))
        {
            return false;
        }

        bytes = (long)value;
        return true;
    }

    private ConfigSection(Config config, string pathPrefix, bool empty)
    {
        _ = empty;
        Config = config;
        PathPrefix = pathPrefix;
    }

    private T Get<T>(string path, string expected, Converter<T> converter)
    {
        var value = Find(Config, path) ?? throw Missing(path);
        return Convert(value, path, expected, converter);
    }

    private T GetOrDefault<T>(string path, T defaultValue, string expected, Converter<T> converter)
    {
        var value = Find(Config, path);
        return value is null ? defaultValue : Convert(value, path, expected, converter);
    }

    private T Convert<T>(HoconValue value, string path, string expected, Converter<T> converter)
    {
        if (!value.IsString())
        {
            throw new SettingException(KeyOf(path), $"is {Describe(value)}, but {expected} was expected.");
        }

        var text = value.GetString() ?? string.Empty;
        if (!converter(text, out var result))
        {
            var key = KeyOf(path);
            var shown = IsSecret(key) ? "(hidden: secret key)" : $"'{text}'";
            throw new SettingException(key, $"has value {shown}, which is not {expected}.");
        }

        return result;
    }

    private IReadOnlyList<string> ReadStringList(HoconValue value, string path)
    {
        if (!IsList(value))
        {
            throw new SettingException(KeyOf(path), $"is {Describe(value)}, but a list of strings was expected.");
        }

        // Akka's parser reads "[]" as an array that IsArray() denies, and "[ ]" as one empty element: read the
        // array elements directly and skip empty ones.
        var items = new List<string>();
        var index = 0;
        foreach (var item in value.Values.OfType<HoconArray>().SelectMany(array => array.GetArray()))
        {
            if (item is null || item.IsEmpty)
            {
                continue;
            }

            var text = item.IsString() ? item.GetString() : null;
            if (text is null)
            {
                throw new SettingException($"{KeyOf(path)}[{index}]", $"is {Describe(item)}, but a string was expected.");
            }

            items.Add(text);
            index++;
        }

        return items;
    }

    // Akka's parser may add a whitespace literal after an array ("[...] }" on one line): it is not part of the value.
    private static bool IsList(HoconValue value) =>
        value.Values.Any(v => v is HoconArray)
        && value.Values.All(v => v is HoconArray || v is HoconLiteral literal && string.IsNullOrWhiteSpace(literal.Value));

    private SettingException Missing(string path) => new(KeyOf(path), "is missing (required setting).");

    /// <summary>The value at a path, or null when it is missing, empty or the HOCON <c>null</c>.</summary>
    private static HoconValue? Find(Config config, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (config.IsEmpty)
        {
            return null;
        }

        HoconValue? value;
        try
        {
            if (!config.HasPath(path))
            {
                return null;
            }

            value = config.GetValue(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Akka throws when a path walks through a non-object (e.g. "a.b" where a = 5): the key does not exist.
            return null;
        }

        if (value is null)
        {
            return null;
        }

        // An empty object ("x {}") exists; an empty scalar does not.
        if (value.IsObject())
        {
            return value;
        }

        if (value.IsEmpty)
        {
            return null;
        }

        // Akka reads the literal null as a string scalar whose string value is null.
        return value.IsString() && value.GetString() is null ? null : value;
    }

    private static string Describe(HoconValue value) =>
        value.IsObject() ? "an object" : IsList(value) ? "a list" : "a scalar";

    private static bool IsSecret(string key)
    {
        var last = key[(key.LastIndexOf('.') + 1)..];
        return SecretMarkers.Any(marker => last.Contains(marker, StringComparison.OrdinalIgnoreCase));
    }

    private static bool ReadString(string text, out string value)
    {
        value = text;
        return true;
    }

    private static bool ReadNullableString(string text, out string? value)
    {
        value = text;
        return true;
    }

    private static bool ReadInt(string text, out int value) =>
        int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool ReadLong(string text, out long value) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool ReadDouble(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static bool ReadBoolean(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
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

    private static bool ReadDuration(string text, out TimeSpan value) => TryParseDuration(text, out value);

    private static bool ReadByteSize(string text, out long value) => TryParseByteSize(text, out value);

    /// <summary>Splits "1.5 KiB" into the number and the unit.</summary>
    private static bool TrySplitUnit(string text, out double number, out string unit)
    {
        number = 0;
        unit = string.Empty;
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] is '.' or '-' or '+'))
        {
            end++;
        }

        // An exponent belongs to the number only when digits follow it ("1e3"), not in units like "exbibyte".
        if (end < text.Length && text[end] is 'e' or 'E' && end + 1 < text.Length && (char.IsAsciiDigit(text[end + 1]) || text[end + 1] is '-' or '+'))
        {
            end++;
            while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] is '-' or '+'))
            {
                end++;
            }
        }

        if (end == 0 || !double.TryParse(text.AsSpan(0, end), NumberStyles.Float, CultureInfo.InvariantCulture, out number))
        {
            return false;
        }

        unit = text[end..].Trim();
        return unit.All(char.IsLetter);
    }

    private static FrozenDictionary<string, double> BuildDurationUnits()
    {
        var units = new Dictionary<string, double>(StringComparer.Ordinal);
        void Add(double ticks, params string[] names)
        {
            foreach (var name in names)
            {
                units[name] = ticks;
            }
        }

        Add(0.01, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        Add(TimeSpan.TicksPerMicrosecond, "us", "µs", "micro", "micros", "microsecond", "microseconds");
        Add(TimeSpan.TicksPerMillisecond, "ms", "milli", "millis", "millisecond", "milliseconds");
        Add(TimeSpan.TicksPerSecond, "s", "second", "seconds");
        Add(TimeSpan.TicksPerMinute, "m", "minute", "minutes");
        Add(TimeSpan.TicksPerHour, "h", "hour", "hours");
        Add(TimeSpan.TicksPerDay, "d", "day", "days");
        return units.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static FrozenDictionary<string, double> BuildByteUnits()
    {
        var units = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["B"] = 1,
            ["b"] = 1,
            ["byte"] = 1,
            ["bytes"] = 1,
        };
        string[] letters = ["K", "M", "G", "T", "P", "E"];
        string[] siNames = ["kilo", "mega", "giga", "tera", "peta", "exa"];
        string[] iecNames = ["kibi", "mebi", "gibi", "tebi", "pebi", "exbi"];
        for (var i = 0; i < letters.Length; i++)
        {
            var binary = Math.Pow(1024, i + 1);
            var decimalSize = Math.Pow(1000, i + 1);
            var letter = letters[i];
            var siLetter = i == 0 ? "k" : letter;
            foreach (var name in new[] { letter, letter.ToLowerInvariant(), letter + "i", letter + "iB", iecNames[i] + "byte", iecNames[i] + "bytes" })
            {
                units[name] = binary;
            }

            foreach (var name in new[] { siLetter + "B", letter + "B", siNames[i] + "byte", siNames[i] + "bytes" })
            {
                units[name] = decimalSize;
            }
        }

        return units.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
