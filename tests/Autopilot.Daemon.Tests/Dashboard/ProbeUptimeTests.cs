using Autopilot.Daemon.Dashboard;

namespace Autopilot.Daemon.Tests.Dashboard;

public sealed class ProbeUptimeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    /// <summary>One probe every five minutes from <paramref name="start"/>, healthy unless <paramref name="healthy"/> says otherwise.</summary>
    private static List<ProbeSample> Every5Minutes(DateTimeOffset start, int count, Func<int, bool>? healthy = null) =>
        Enumerable.Range(0, count).Select(i => new ProbeSample(start + i * FiveMinutes, healthy?.Invoke(i) ?? true, FiveMinutes)).ToList();

    [Fact]
    public void A_service_never_probed_has_no_uptime_rather_than_0_or_100_percent()
    {
        var figure = ProbeUptime.Over([], T0, T0.AddDays(1));

        Assert.Null(figure.Ratio);
        Assert.Equal(TimeSpan.Zero, figure.Covered);
        Assert.Equal(0, figure.Coverage);
    }

    [Fact]
    public void Every_probe_healthy_over_a_fully_covered_day_is_100_percent()
    {
        var figure = ProbeUptime.Over(Every5Minutes(T0, 288), T0, T0.AddDays(1));

        Assert.Equal(1.0, figure.Ratio);
        Assert.Equal(TimeSpan.FromDays(1), figure.Covered);
        Assert.Equal(288, figure.Probes);
    }

    [Fact]
    public void One_failed_probe_in_a_day_costs_one_interval()
    {
        var figure = ProbeUptime.Over(Every5Minutes(T0, 288, i => i != 100), T0, T0.AddDays(1));

        Assert.Equal(287.0 / 288.0, figure.Ratio!.Value, 9);
    }

    [Fact]
    public void The_daemon_being_down_is_a_gap_that_counts_neither_way()
    {
        // Probes for the first 6 hours and the last 6 hours of the day; the daemon was down in between.
        var samples = Every5Minutes(T0, 72, i => i % 4 != 0).Concat(Every5Minutes(T0.AddHours(18), 72)).ToList();

        var figure = ProbeUptime.Over(samples, T0, T0.AddDays(1));

        Assert.Equal(TimeSpan.FromHours(12), figure.Covered);
        Assert.Equal(0.5, figure.Coverage, 9);
        // 18 of the 144 covered intervals failed.
        Assert.Equal((144.0 - 18.0) / 144.0, figure.Ratio!.Value, 9);
    }

    [Fact]
    public void A_result_speaks_for_at_most_one_interval_so_a_last_failure_before_a_gap_does_not_spread()
    {
        var samples = new List<ProbeSample>
        {
            new(T0, true, FiveMinutes),
            new(T0.AddMinutes(5), false, FiveMinutes),
            // The daemon stops after this failure and comes back five hours later.
            new(T0.AddHours(5), true, FiveMinutes),
        };

        var figure = ProbeUptime.Over(samples, T0, T0.AddHours(5).AddMinutes(5));

        Assert.Equal(TimeSpan.FromMinutes(15), figure.Covered);
        Assert.Equal(2.0 / 3.0, figure.Ratio!.Value, 9);
    }

    [Fact]
    public void Retries_a_few_seconds_apart_weigh_seconds_not_intervals()
    {
        // Healthy, then a failure retried three times 5 s apart, then healthy again at the next routine probe.
        var samples = new List<ProbeSample>
        {
            new(T0, true, FiveMinutes),
            new(T0.AddMinutes(5), false, FiveMinutes),
            new(T0.AddMinutes(5).AddSeconds(5), false, FiveMinutes),
            new(T0.AddMinutes(5).AddSeconds(10), false, FiveMinutes),
            new(T0.AddMinutes(5).AddSeconds(15), true, FiveMinutes),
        };

        var figure = ProbeUptime.Over(samples, T0, T0.AddMinutes(10).AddSeconds(15));

        Assert.Equal(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(15), figure.Covered);
        Assert.Equal(TimeSpan.FromSeconds(15), figure.Covered - figure.Healthy);
    }

    [Fact]
    public void The_probe_before_the_window_covers_its_start_and_probes_after_its_end_are_ignored()
    {
        var samples = new List<ProbeSample>
        {
            new(T0.AddMinutes(-2), false, FiveMinutes), // reaches 3 minutes into the window
            new(T0.AddMinutes(3), true, FiveMinutes),
            new(T0.AddMinutes(8), false, FiveMinutes), // after the window's end
        };

        var figure = ProbeUptime.Over(samples, T0, T0.AddMinutes(8));

        Assert.Equal(TimeSpan.FromMinutes(8), figure.Covered);
        Assert.Equal(TimeSpan.FromMinutes(5), figure.Healthy);
        Assert.Equal(5.0 / 8.0, figure.Ratio!.Value, 9);
        Assert.Equal(1, figure.Probes); // only the one recorded inside the window
    }

    [Fact]
    public void Probes_that_all_ended_before_the_window_leave_it_without_data()
    {
        var figure = ProbeUptime.Over(Every5Minutes(T0, 12), T0.AddDays(1), T0.AddDays(2));

        Assert.Null(figure.Ratio);
    }

    [Fact]
    public void A_window_that_ends_before_it_starts_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ProbeUptime.Over([], T0, T0.AddSeconds(-1)));
    }
}
