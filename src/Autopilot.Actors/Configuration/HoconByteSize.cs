using System.Collections.Frozen;

namespace Autopilot.Actors.Configuration;

/// <summary>
/// Reads sizes in bytes: a number with an optional unit. Single letters and IEC units
/// (<c>k</c>, <c>M</c>, <c>KiB</c>, <c>mebibytes</c>) are powers of 1024; SI units (<c>kB</c>, <c>MB</c>,
/// <c>megabytes</c>) are powers of 1000, following the HOCON specification.
/// </summary>
public static class HoconByteSize
{
    private static readonly FrozenDictionary<string, double> BytesPerUnit = BuildUnits();

    /// <summary>Parses a size.</summary>
    /// <returns>False for an unknown unit, a negative size, a fraction of a byte, or a size that does not fit a long.</returns>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        if (!UnitNumber.TrySplit(text.Trim(), out var number, out var unit))
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

    private static FrozenDictionary<string, double> BuildUnits()
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
