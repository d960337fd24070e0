namespace Autopilot.Daemon.Intake;

/// <summary>
/// Delivery keys (<c>source:delivery-id</c>) remembered for a de-duplication window, in the order they were remembered,
/// so the oldest can be forgotten cheaply. The intake remembers what it stored; the hand-over what it handed over.
/// </summary>
internal sealed class DeliveryWindow(TimeSpan window)
{
    private readonly Dictionary<string, DateTimeOffset> _at = new(StringComparer.Ordinal);
    private readonly Queue<RememberedDelivery> _order = new();

    /// <summary>How many keys are remembered.</summary>
    public int Count => _at.Count;

    /// <summary>Remembers <paramref name="key"/> as of <paramref name="at"/>.</summary>
    public void Remember(string key, DateTimeOffset at)
    {
        _at[key] = at;
        _order.Enqueue(new RememberedDelivery(key, at));
    }

    /// <summary>True when <paramref name="key"/> was remembered within the window before <paramref name="now"/>.</summary>
    public bool Contains(string key, DateTimeOffset now) => _at.TryGetValue(key, out var at) && now - at <= window;

    /// <summary>Forgets the keys older than the window.</summary>
    public void Prune(DateTimeOffset now)
    {
        var horizon = now - window;
        while (_order.TryPeek(out var oldest) && oldest.At < horizon)
        {
            _order.Dequeue();
            // A key remembered again later (after its window ran out) has a newer time: keep it.
            if (_at.TryGetValue(oldest.Key, out var at) && at == oldest.At)
            {
                _at.Remove(oldest.Key);
            }
        }
    }

    /// <summary>
    /// Whether a snapshot of the window is due after <paramref name="eventsSinceSnapshot"/> journaled events: at least
    /// <paramref name="every"/> of them, and at least a tenth of the remembered keys. A snapshot holds the whole window,
    /// so with a fixed cadence a week of remembered ids would be rewritten every few minutes; this way a snapshot costs
    /// at most ten keys per event written since the last one, and a recovery replays at most a tenth of the window.
    /// </summary>
    public bool SnapshotDue(int eventsSinceSnapshot, int every) => eventsSinceSnapshot >= Math.Max(every, Count / 10);

    /// <summary>The remembered keys, oldest first (for a snapshot).</summary>
    public IReadOnlyList<RememberedDelivery> Snapshot() => _order.ToArray();
}
