namespace Autopilot.Agents.Dedupe;

/// <summary>
/// The most recent <c>capacity</c> distinct keys, oldest forgotten first: how the agents recognise a redelivered
/// webhook, a re-sent alert request or an already-judged commit without remembering everything forever.
/// </summary>
public sealed class RecentKeys
{
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly int _capacity;

    /// <summary>Remembers up to <paramref name="capacity"/> keys.</summary>
    public RecentKeys(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
    }

    /// <summary>The remembered keys, oldest first (what a snapshot keeps).</summary>
    public IReadOnlyCollection<string> OldestFirst => _order;

    /// <summary>Whether <paramref name="key"/> is remembered.</summary>
    public bool Contains(string key) => _keys.Contains(key);

    /// <summary>Remembers <paramref name="key"/>; returns false if it already was.</summary>
    public bool Add(string key)
    {
        if (!_keys.Add(key))
        {
            return false;
        }

        _order.Enqueue(key);
        while (_order.Count > _capacity)
        {
            _keys.Remove(_order.Dequeue());
        }

        return true;
    }
}
