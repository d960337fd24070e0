namespace Autopilot.Daemon.SelfWatch;

/// <summary>
/// Counts of outcomes (all, failed) over a sliding time window, in slots of a tenth of the window, so a rate "over the
/// last 10 minutes" needs no list of every call. Thread-safe: platform clients record from any thread, the self-watch
/// reads on its timer.
/// </summary>
public sealed class OutcomeWindow
{
    private const int Slots = 10;
    private readonly TimeProvider _time;
    private readonly long _slotTicks;
    private readonly (long Slot, long All, long Failed)[] _slots = new (long, long, long)[Slots];
    private readonly object _gate = new();

    /// <summary>A window of <paramref name="window"/> on <paramref name="time"/>'s clock.</summary>
    public OutcomeWindow(TimeSpan window, TimeProvider time)
    {
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be positive.");
        }

        _time = time;
        _slotTicks = Math.Max(1, window.Ticks / Slots);
        Array.Fill(_slots, (-1, 0, 0));
    }

    /// <summary>Counts one outcome now.</summary>
    public void Record(bool failed)
    {
        var slot = _time.GetUtcNow().UtcTicks / _slotTicks;
        lock (_gate)
        {
            ref var entry = ref _slots[slot % Slots];
            if (entry.Slot != slot)
            {
                entry = (slot, 0, 0);
            }

            entry.All++;
            if (failed)
            {
                entry.Failed++;
            }
        }
    }

    /// <summary>Outcomes and failures within the window now.</summary>
    public (long All, long Failed) Totals()
    {
        var current = _time.GetUtcNow().UtcTicks / _slotTicks;
        long all = 0, failed = 0;
        lock (_gate)
        {
            foreach (var entry in _slots)
            {
                if (entry.Slot > current - Slots && entry.Slot <= current)
                {
                    all += entry.All;
                    failed += entry.Failed;
                }
            }
        }

        return (all, failed);
    }
}
