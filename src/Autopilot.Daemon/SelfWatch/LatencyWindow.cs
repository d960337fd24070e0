using Autopilot.Daemon.Metrics;

namespace Autopilot.Daemon.SelfWatch;

/// <summary>
/// Durations over a sliding time window, counted into the same bucket bounds as the daemon's histograms
/// (<see cref="AutopilotMetrics.Buckets"/>), so the p95 it reports is the one Prometheus' <c>histogram_quantile</c> would
/// place in the same bucket: the upper bound of the bucket holding the 95th percentile. Slots of a tenth of the window;
/// thread-safe (requests record from any thread).
/// </summary>
public sealed class LatencyWindow
{
    private const int Slots = 10;
    private readonly TimeProvider _time;
    private readonly long _slotTicks;
    private readonly long[] _slotOf = new long[Slots];
    private readonly long[][] _counts = new long[Slots][];
    private readonly object _gate = new();

    /// <summary>A window of <paramref name="window"/> on <paramref name="time"/>'s clock.</summary>
    public LatencyWindow(TimeSpan window, TimeProvider time)
    {
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be positive.");
        }

        _time = time;
        _slotTicks = Math.Max(1, window.Ticks / Slots);
        Array.Fill(_slotOf, -1);
        for (var i = 0; i < Slots; i++)
        {
            // One more bucket than bounds: above the last bound (+Inf).
            _counts[i] = new long[AutopilotMetrics.Buckets.Length + 1];
        }
    }

    /// <summary>Counts one duration now.</summary>
    public void Record(TimeSpan duration)
    {
        var seconds = duration.TotalSeconds;
        var bucket = Array.FindIndex(AutopilotMetrics.Buckets, bound => seconds <= bound);
        bucket = bucket < 0 ? AutopilotMetrics.Buckets.Length : bucket;
        var slot = _time.GetUtcNow().UtcTicks / _slotTicks;
        lock (_gate)
        {
            var index = (int)(slot % Slots);
            if (_slotOf[index] != slot)
            {
                _slotOf[index] = slot;
                Array.Clear(_counts[index]);
            }

            _counts[index][bucket]++;
        }
    }

    /// <summary>
    /// The 95th percentile within the window (the upper bound of its bucket; <see cref="TimeSpan.MaxValue"/> above the
    /// last bound) and how many durations it is based on; null when none were recorded.
    /// </summary>
    public (TimeSpan P95, long Count)? P95()
    {
        var current = _time.GetUtcNow().UtcTicks / _slotTicks;
        var totals = new long[AutopilotMetrics.Buckets.Length + 1];
        lock (_gate)
        {
            for (var i = 0; i < Slots; i++)
            {
                if (_slotOf[i] > current - Slots && _slotOf[i] <= current)
                {
                    for (var b = 0; b < totals.Length; b++)
                    {
                        totals[b] += _counts[i][b];
                    }
                }
            }
        }

        var count = totals.Sum();
        if (count == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(count * 0.95);
        long seen = 0;
        for (var b = 0; b < totals.Length; b++)
        {
            seen += totals[b];
            if (seen >= rank)
            {
                return (b < AutopilotMetrics.Buckets.Length ? TimeSpan.FromSeconds(AutopilotMetrics.Buckets[b]) : TimeSpan.MaxValue, count);
            }
        }

        return (TimeSpan.MaxValue, count);
    }
}
