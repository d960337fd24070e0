using Autopilot.Daemon.Metrics;

namespace Autopilot.Daemon.SelfWatch;

/// <summary>
/// Durations over a sliding time window, counted into the same bucket bounds as the daemon's histograms
/// (<see cref="AutopilotMetrics.Buckets"/>), so the p95 it reports is the one Prometheus' <c>histogram_quantile</c> would
/// place in the same bucket: the upper bound of the bucket holding the 95th percentile. Counted in a
/// <see cref="SlidingCounts"/>; requests record from any thread.
/// </summary>
public sealed class LatencyWindow(TimeSpan window, TimeProvider time)
{
    // One counter per bucket, and one more above the last bound (+Inf).
    private readonly SlidingCounts _counts = new(AutopilotMetrics.Buckets.Length + 1, window, time);

    /// <summary>Counts one duration now.</summary>
    public void Record(TimeSpan duration)
    {
        var seconds = duration.TotalSeconds;
        var bucket = Array.FindIndex(AutopilotMetrics.Buckets, bound => seconds <= bound);
        _counts.Increment(bucket < 0 ? AutopilotMetrics.Buckets.Length : bucket);
    }

    /// <summary>
    /// The 95th percentile within the window (the upper bound of its bucket; <see cref="TimeSpan.MaxValue"/> above the
    /// last bound) and how many durations it is based on; null when none were recorded.
    /// </summary>
    public (TimeSpan P95, long Count)? P95()
    {
        var totals = _counts.Totals();
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
