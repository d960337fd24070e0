using System.Globalization;
using System.Text.RegularExpressions;

namespace Autopilot.Daemon.Http;

/// <summary>
/// The strict parser of the audit API's <c>since</c>/<c>until</c> query parameters: an ISO 8601 instant
/// (<c>2024-05-01</c>, <c>2024-05-01T10:00:00Z</c>, <c>2024-05-01T10:00:00.123+02:00</c>) or a duration back from now
/// (<c>90s</c>, <c>15m</c>, <c>2h</c>, <c>7d</c>, <c>2w</c>). Nothing else: no configuration parser, no substitutions
/// (<c>${?VAR}</c>), includes or <c>file(...)</c> ever see a query parameter, and no culture-dependent date formats.
/// </summary>
public static partial class AuditTimeParameter
{
    /// <summary>Longest text looked at; anything longer is refused without being parsed.</summary>
    public const int MaxLength = 40;

    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
    ];

    /// <summary>The instant <paramref name="text"/> names, or null when it is empty.</summary>
    /// <param name="text">The parameter's value.</param>
    /// <param name="name">The parameter's name, for the error message.</param>
    /// <param name="now">What durations count back from.</param>
    /// <exception cref="ArgumentException">Neither an ISO 8601 instant nor a duration (the message names the parameter, never echoes long input).</exception>
    public static DateTimeOffset? Parse(string? text, string name, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        if (trimmed.Length <= MaxLength)
        {
            var duration = Duration().Match(trimmed);
            if (duration.Success)
            {
                var amount = long.Parse(duration.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
                var unit = duration.Groups["u"].Value switch
                {
                    "ms" => TimeSpan.FromMilliseconds(1),
                    "s" => TimeSpan.FromSeconds(1),
                    "m" => TimeSpan.FromMinutes(1),
                    "h" => TimeSpan.FromHours(1),
                    "d" => TimeSpan.FromDays(1),
                    _ => TimeSpan.FromDays(7),
                };
                // At most nine digits: no overflow even in weeks (1e9 weeks is below TimeSpan.MaxValue).
                var back = unit * amount;
                return back > now - DateTimeOffset.MinValue ? DateTimeOffset.MinValue : now - back;
            }

            if (IsoShape().IsMatch(trimmed)
                && DateTimeOffset.TryParseExact(trimmed, IsoFormats, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
            {
                return instant;
            }
        }

        throw new ArgumentException(
            $"{name} must be an ISO 8601 time (e.g. 2024-05-01T10:00:00Z) or a duration such as 15m, 2h, 7d"
            + (trimmed.Length <= MaxLength && SafeEcho().IsMatch(trimmed) ? $" (was '{trimmed}')." : "."));
    }

    [GeneratedRegex(@"^(?<n>[0-9]{1,9})(?<u>ms|s|m|h|d|w)$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();

    // Digits, dashes, colons, a T, fractional seconds, and Z or an offset: nothing a lenient parser could read otherwise.
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoShape();

    [GeneratedRegex(@"^[A-Za-z0-9:.+\- ]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeEcho();
}
