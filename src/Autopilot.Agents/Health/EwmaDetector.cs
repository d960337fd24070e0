namespace Autopilot.Agents.Health;

/// <summary>
/// Flags response times that stand out from a service's recent normal, before the service fails outright. It keeps an
/// exponentially weighted moving average and variance (weight <c>alpha</c> on the newest sample) and calls a sample
/// degraded when it exceeds <c>mean + threshold × deviation</c>. The deviation never counts as less than
/// <c>minimumDeviation</c>, so a perfectly steady service does not page on a millisecond of jitter, and nothing is
/// flagged during the first <c>warmup</c> samples while the baseline forms. Pure: feed it samples, read verdicts.
/// </summary>
public sealed class EwmaDetector
{
    private readonly double _alpha;
    private readonly double _threshold;
    private readonly int _warmup;
    private readonly double _minimumDeviationMs;
    private double _mean;
    private double _variance;
    private int _samples;

    /// <summary>Creates a detector.</summary>
    /// <param name="alpha">Weight of the newest sample, in (0, 1].</param>
    /// <param name="threshold">How many deviations above the mean count as degraded (positive).</param>
    /// <param name="warmup">Samples taken before anything is flagged (at least 1).</param>
    /// <param name="minimumDeviation">Floor of the deviation used in the test (not negative).</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter outside its range.</exception>
    public EwmaDetector(double alpha, double threshold, int warmup, TimeSpan minimumDeviation)
    {
        if (alpha is <= 0 or > 1 || double.IsNaN(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in (0, 1].");
        if (threshold <= 0 || double.IsNaN(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be positive.");
        ArgumentOutOfRangeException.ThrowIfLessThan(warmup, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumDeviation, TimeSpan.Zero);
        _alpha = alpha;
        _threshold = threshold;
        _warmup = warmup;
        _minimumDeviationMs = minimumDeviation.TotalMilliseconds;
    }

    /// <summary>The current baseline (moving average).</summary>
    public TimeSpan Mean => TimeSpan.FromMilliseconds(_mean);

    /// <summary>The current moving standard deviation.</summary>
    public TimeSpan Deviation => TimeSpan.FromMilliseconds(Math.Sqrt(_variance));

    /// <summary>Judges <paramref name="responseTime"/> against the baseline so far, then folds it into the baseline.</summary>
    public EwmaVerdict Observe(TimeSpan responseTime)
    {
        var x = responseTime.TotalMilliseconds;
        if (_samples == 0)
        {
            _mean = x;
            _variance = 0;
            _samples = 1;
            return new EwmaVerdict(false, responseTime, Mean, TimeSpan.Zero);
        }

        var deviation = Math.Max(Math.Sqrt(_variance), _minimumDeviationMs);
        var limit = _mean + _threshold * deviation;
        var degraded = _samples >= _warmup && x > limit;
        var baseline = Mean;

        // Welford-style exponentially weighted update of mean and variance.
        var difference = x - _mean;
        var increment = _alpha * difference;
        _mean += increment;
        _variance = (1 - _alpha) * (_variance + difference * increment);
        _samples++;
        return new EwmaVerdict(degraded, responseTime, baseline, TimeSpan.FromMilliseconds(limit));
    }
}

/// <summary>The detector's judgement of one sample.</summary>
/// <param name="Degraded">The sample stands out above the baseline.</param>
/// <param name="ResponseTime">The sample.</param>
/// <param name="Baseline">The moving average before the sample.</param>
/// <param name="Limit">The value above which the sample would count as degraded.</param>
public sealed record EwmaVerdict(bool Degraded, TimeSpan ResponseTime, TimeSpan Baseline, TimeSpan Limit);
