namespace Autopilot.Daemon.Dashboard;

/// <summary>One recorded probe result, as uptime needs it.</summary>
/// <param name="At">When the probe concluded.</param>
/// <param name="Healthy">Whether it was healthy.</param>
/// <param name="Interval">The routine probe interval then: the longest time this one result speaks for.</param>
public readonly record struct ProbeSample(DateTimeOffset At, bool Healthy, TimeSpan Interval);

/// <summary>Uptime of one target over one window.</summary>
/// <param name="Ratio">Healthy time ÷ covered time, 0–1; null when no probe covers any of the window (never probed, or only while the daemon was down).</param>
/// <param name="Covered">Time in the window that some probe result speaks for.</param>
/// <param name="Healthy">The part of <paramref name="Covered"/> a healthy result speaks for.</param>
/// <param name="Window">The window's length.</param>
/// <param name="Probes">Probe results recorded within the window.</param>
public sealed record UptimeFigure(double? Ratio, TimeSpan Covered, TimeSpan Healthy, TimeSpan Window, int Probes)
{
    /// <summary>Share of the window that probes cover (the rest is unknown, e.g. the daemon was down).</summary>
    public double Coverage => Window > TimeSpan.Zero ? Covered / Window : 0;
}

/// <summary>
/// Uptime from the journal's probe records: the share of probed time that was healthy.
/// </summary>
/// <remarks>
/// The definition (also on the dashboard's help and in docs/operations.md):
/// <list type="bullet">
/// <item>each probe result stands for the time from its own moment until the next probe of the same target, but never
/// longer than one probe interval (the routine interval recorded with it);</item>
/// <item>time no result stands for — the daemon was down, the target was not configured yet, probes stalled — is a
/// <em>gap</em>: unknown, counted neither healthy nor unhealthy, and shown as reduced coverage instead;</item>
/// <item>uptime = healthy time ÷ covered time within the window; a window no result covers has no uptime (shown as
/// "no data", never as 0 % or 100 %).</item>
/// </list>
/// A retry a few seconds after a failure therefore weighs a few seconds, not a whole interval, so retries do not skew
/// the figure. The probe just before the window's start covers the window's beginning as far as it reaches.
/// </remarks>
public static class ProbeUptime
{
    /// <summary>The windows the dashboard shows.</summary>
    public static readonly IReadOnlyList<(string Name, TimeSpan Length)> Windows =
        [("24h", TimeSpan.FromHours(24)), ("7d", TimeSpan.FromDays(7)), ("30d", TimeSpan.FromDays(30))];

    /// <summary>Uptime over [<paramref name="from"/>, <paramref name="to"/>).</summary>
    /// <param name="samples">One target's probe results, oldest first (results outside the window are ignored, except the last one before it).</param>
    /// <param name="from">Window start.</param>
    /// <param name="to">Window end (usually now).</param>
    public static UptimeFigure Over(IReadOnlyList<ProbeSample> samples, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (to < from)
        {
            throw new ArgumentException("The window ends before it starts.", nameof(to));
        }

        var covered = TimeSpan.Zero;
        var healthy = TimeSpan.Zero;
        var probes = 0;
        // Samples before the last one ahead of the window reach no further than their successor: nothing to add up.
        for (var i = Math.Max(0, TimeOrder.FirstAtOrAfter(samples, s => s.At, from) - 1); i < samples.Count; i++)
        {
            var sample = samples[i];
            if (sample.At >= to)
            {
                break;
            }

            if (sample.At >= from)
            {
                probes++;
            }

            var reach = sample.At + sample.Interval;
            if (i + 1 < samples.Count && samples[i + 1].At < reach)
            {
                reach = samples[i + 1].At;
            }

            var start = sample.At > from ? sample.At : from;
            var end = reach < to ? reach : to;
            if (end <= start)
            {
                continue;
            }

            covered += end - start;
            if (sample.Healthy)
            {
                healthy += end - start;
            }
        }

        return new UptimeFigure(covered > TimeSpan.Zero ? healthy / covered : null, covered, healthy, to - from, probes);
    }
}
