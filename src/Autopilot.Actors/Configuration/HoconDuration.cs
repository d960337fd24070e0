using System.Collections.Frozen;

namespace Autopilot.Actors.Configuration;

/// <summary>
/// Reads durations written the HOCON way: a number with an optional unit (<c>5s</c>, <c>100 ms</c>,
/// <c>2 minutes</c>, <c>1.5h</c>) or <c>infinite</c>. A bare number means milliseconds, as in Akka.
/// </summary>
public static class HoconDuration
{
    private const double TicksPerNanosecond = 0.01;

    private static readonly FrozenDictionary<string, double> TicksPerUnit = BuildUnits();

    /// <summary>Parses a duration; <c>infinite</c> gives <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    /// <returns>False when the text is not a number followed by a known unit, or the value does not fit a <see cref="TimeSpan"/>.</returns>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var trimmed = text.Trim();
        if (string.Equals(trimmed, "infinite", StringComparison.OrdinalIgnoreCase))
        {
            duration = Timeout.InfiniteTimeSpan;
            return true;
        }

        if (!UnitNumber.TrySplit(trimmed, out var number, out var unit))
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

    private static FrozenDictionary<string, double> BuildUnits()
    {
        var units = new Dictionary<string, double>(StringComparer.Ordinal);
        void Add(double ticks, params string[] names)
        {
            foreach (var name in names)
            {
                units[name] = ticks;
            }
        }

        Add(TicksPerNanosecond, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        Add(TimeSpan.TicksPerMicrosecond, "us", "µs", "micro", "micros", "microsecond", "microseconds");
        Add(TimeSpan.TicksPerMillisecond, "ms", "milli", "millis", "millisecond", "milliseconds");
        Add(TimeSpan.TicksPerSecond, "s", "second", "seconds");
        Add(TimeSpan.TicksPerMinute, "m", "minute", "minutes");
        Add(TimeSpan.TicksPerHour, "h", "hour", "hours");
        Add(TimeSpan.TicksPerDay, "d", "day", "days");
        return units.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
