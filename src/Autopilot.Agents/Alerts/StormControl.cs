namespace Autopilot.Agents.Alerts;

/// <summary>
/// Folds alert storms: the first alert of a fingerprint is sent and opens a window; alerts of the same fingerprint
/// within the window are only counted; when the window ends, one summary carries the count. Pure and clock-free
/// (callers pass the time), so the actor can rebuild it from its journal and tests can drive it directly.
/// </summary>
public sealed class StormControl
{
    private readonly TimeSpan _window;
    private readonly Dictionary<string, Storm> _open = new(StringComparer.Ordinal);

    /// <summary>Creates storm control with the given folding window.</summary>
    public StormControl(TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _window = window;
    }

    /// <summary>The folding window.</summary>
    public TimeSpan Window => _window;

    /// <summary>Whether an alert of <paramref name="fingerprint"/> raised at <paramref name="now"/> falls into an open window.</summary>
    public bool ShouldFold(string fingerprint, DateTimeOffset now) =>
        _open.TryGetValue(fingerprint, out var storm) && now < storm.OpenedAt + _window;

    /// <summary>Records an accepted alert: a sent one (re)opens its fingerprint's window, a folded one is counted into it.</summary>
    public void Record(string fingerprint, DateTimeOffset at, bool folded)
    {
        if (folded && _open.TryGetValue(fingerprint, out var storm))
        {
            _open[fingerprint] = storm with { Folded = storm.Folded + 1 };
        }
        else
        {
            _open[fingerprint] = new Storm(fingerprint, at, 0);
        }
    }

    /// <summary>
    /// Closes every window that has ended by <paramref name="now"/> and returns those that folded alerts, in the
    /// order their windows opened: each needs one summary message.
    /// </summary>
    public IReadOnlyList<FoldedStorm> CloseExpired(DateTimeOffset now)
    {
        var expired = _open.Values.Where(s => now >= s.OpenedAt + _window).OrderBy(s => s.OpenedAt).ToArray();
        foreach (var storm in expired)
        {
            _open.Remove(storm.Fingerprint);
        }

        return expired.Where(s => s.Folded > 0)
            .Select(s => new FoldedStorm(s.Fingerprint, s.Folded + 1, s.Folded, s.OpenedAt))
            .ToArray();
    }

    /// <summary>When the earliest open window ends, or null when none is open (for the flush timer).</summary>
    public DateTimeOffset? NextExpiry => _open.Count == 0 ? null : _open.Values.Min(s => s.OpenedAt) + _window;

    /// <summary>Text appended to a summary, e.g. <c>(×5 in the last 5 min)</c>.</summary>
    public string Suffix(int occurrences) => $"(×{occurrences} in the last {Describe(_window)})";

    private static string Describe(TimeSpan window) =>
        window.TotalMinutes >= 1 && window.Seconds == 0 ? $"{window.TotalMinutes:0.##} min" : $"{window.TotalSeconds:0.##} s";

    private sealed record Storm(string Fingerprint, DateTimeOffset OpenedAt, int Folded);
}

/// <summary>A closed storm window that folded alerts.</summary>
/// <param name="Fingerprint">Incident kind.</param>
/// <param name="Occurrences">All alerts of the window, the one sent at its start included.</param>
/// <param name="Folded">Alerts that were counted but not sent.</param>
/// <param name="OpenedAt">When the window opened.</param>
public sealed record FoldedStorm(string Fingerprint, int Occurrences, int Folded, DateTimeOffset OpenedAt);
