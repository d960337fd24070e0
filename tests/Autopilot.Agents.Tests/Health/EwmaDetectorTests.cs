using Autopilot.Agents.Health;
using Xunit;

namespace Autopilot.Agents.Tests.Health;

public sealed class EwmaDetectorTests
{
    private static EwmaDetector Detector() => new(alpha: 0.3, threshold: 3, warmup: 5, minimumDeviation: TimeSpan.FromMilliseconds(20));

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void A_steady_service_with_jitter_is_never_flagged()
    {
        var detector = Detector();
        double[] samples = [100, 104, 98, 101, 103, 99, 102, 97, 105, 100, 101, 99];
        Assert.All(samples, s => Assert.False(detector.Observe(Ms(s)).Degraded));
        Assert.InRange(detector.Mean.TotalMilliseconds, 98, 103);
    }

    [Fact]
    public void A_jump_well_above_the_baseline_is_flagged_with_the_baseline_it_left()
    {
        var detector = Detector();
        foreach (var s in new double[] { 100, 102, 98, 101, 99, 100 })
        {
            detector.Observe(Ms(s));
        }

        var verdict = detector.Observe(Ms(400));
        Assert.True(verdict.Degraded);
        Assert.InRange(verdict.Baseline.TotalMilliseconds, 99, 101);
        Assert.True(verdict.Limit < Ms(400));
    }

    [Fact]
    public void Nothing_is_flagged_during_warmup()
    {
        var detector = Detector();
        detector.Observe(Ms(100));
        detector.Observe(Ms(100));
        Assert.False(detector.Observe(Ms(5000)).Degraded);
    }

    [Fact]
    public void The_minimum_deviation_keeps_a_perfectly_flat_baseline_from_paging_on_a_few_milliseconds()
    {
        EwmaDetector Flat()
        {
            var detector = Detector();
            for (var i = 0; i < 10; i++)
            {
                detector.Observe(Ms(100));
            }

            return detector;
        }

        Assert.False(Flat().Observe(Ms(150)).Degraded); // within 3 × 20 ms
        Assert.True(Flat().Observe(Ms(170)).Degraded);
    }

    [Fact]
    public void Invalid_parameters_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EwmaDetector(0, 3, 5, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EwmaDetector(0.3, -1, 5, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EwmaDetector(0.3, 3, 0, TimeSpan.Zero));
    }
}
