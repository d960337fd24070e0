namespace Autopilot.Daemon.SelfWatch;

/// <summary>
/// A fixed set of counters over a sliding time window, kept in slots of a tenth of the window, so "how many over the
/// last 10 minutes" needs no list of every event. Thread-safe: recorded from any thread, read on the self-watch's timer.
/// </summary>
public sealed class SlidingCounts
{
    private const int Slots = 10;
    private readonly TimeProvider _time;
    private readonly long _slotTicks;
    private readonly long[] _slotOf = new long[Slots];
    private readonly long[][] _counts = new long[Slots][];
    private readonly object _gate = new();

    /// <summary><paramref name="counters"/> counters over <paramref name="window"/> on <paramref name="time"/>'s clock.</summary>
    public SlidingCounts(int counters, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(counters, 1);
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be positive.");
        }

        _time = time;
        _slotTicks = Math.Max(1, window.Ticks / Slots);
        Array.Fill(_slotOf, -1);
        for (var i = 0; i < Slots; i++)
        {
            _counts[i] = new long[counters];
        }
    }

    /// <summary>Adds one to <paramref name="counter"/> now.</summary>
    public void Increment(int counter)
    {
        var slot = _time.GetUtcNow().UtcTicks / _slotTicks;
        lock (_gate)
        {
            var index = (int)(slot % Slots);
            if (_slotOf[index] != slot)
            {
                _slotOf[index] = slot;
                Array.Clear(_counts[index]);
            }

            _counts[index][counter]++;
        }
    }

    /// <summary>Each counter's total within the window now.</summary>
    public long[] Totals()
    {
        var current = _time.GetUtcNow().UtcTicks / _slotTicks;
        var totals = new long[_counts[0].Length];
        lock (_gate)
        {
            for (var i = 0; i < Slots; i++)
            {
                if (_slotOf[i] > current - Slots && _slotOf[i] <= current)
                {
                    for (var c = 0; c < totals.Length; c++)
                    {
                        totals[c] += _counts[i][c];
                    }
                }
            }
        }

        return totals;
    }
}
