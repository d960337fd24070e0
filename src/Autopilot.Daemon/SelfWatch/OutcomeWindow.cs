namespace Autopilot.Daemon.SelfWatch;

/// <summary>
/// Counts of outcomes (all, failed) over a sliding time window (<see cref="SlidingCounts"/>), so a rate "over the last
/// 10 minutes" needs no list of every call. Platform clients record from any thread, the self-watch reads on its timer.
/// </summary>
public sealed class OutcomeWindow(TimeSpan window, TimeProvider time)
{
    private const int Succeeded = 0;
    private const int Failed = 1;
    private readonly SlidingCounts _counts = new(2, window, time);

    /// <summary>Counts one outcome now.</summary>
    public void Record(bool failed) => _counts.Increment(failed ? Failed : Succeeded);

    /// <summary>Outcomes and failures within the window now.</summary>
    public (long All, long Failed) Totals()
    {
        var totals = _counts.Totals();
        return (totals[Succeeded] + totals[Failed], totals[Failed]);
    }
}
