using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Autopilot.Actors.Configuration.MicrosoftExtensions;

/// <summary>
/// Maps a HOCON tree onto Microsoft.Extensions.Configuration's flat key space: <c>a.b.c</c> becomes
/// <c>a:b:c</c>, array elements become <c>a:b:0</c>, and scalars keep their text (durations such as
/// <c>5s</c> stay strings for the binder to interpret). Empty objects and arrays become a null value,
/// as the JSON provider does, so the section still exists.
/// </summary>
internal static class ConfigurationKeyMap
{
    public static Dictionary<string, string?> Flatten(Config config)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in config.Root)
        {
            Add(data, key, value);
        }

        return data;
    }

    private static void Add(Dictionary<string, string?> data, string key, HoconValue value)
    {
        switch (value)
        {
            case HoconObject { Count: 0 } or HoconArray { Count: 0 }:
                data[key] = null;
                break;
            case HoconObject obj:
                foreach (var (childKey, child) in obj)
                {
                    Add(data, ConfigurationPath.Combine(key, childKey), child);
                }

                break;
            case HoconArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Add(data, ConfigurationPath.Combine(key, i.ToString(CultureInfo.InvariantCulture)), array[i]);
                }

                break;
            case HoconScalar scalar:
                data[key] = scalar.IsNull ? null : scalar.Text;
                break;
        }
    }
}
