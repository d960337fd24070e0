using System.Globalization;

namespace Autopilot.Actors.Configuration;

/// <summary>Splits "1.5 KiB" into the number and the unit, shared by durations and byte sizes.</summary>
internal static class UnitNumber
{
    public static bool TrySplit(string text, out double number, out string unit)
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
}
