namespace Autopilot.Actors;

/// <summary>A child's restarts within the strategy's window, to enforce maxNrOfRetries.</summary>
internal sealed class ChildRestartStats
{
    private int _restartsInWindow;
    private DateTimeOffset _windowStart;

    /// <summary>
    /// Counts a restart and says whether it is allowed: a negative <paramref name="maxNrOfRetries"/> means unlimited,
    /// zero means never; with a window, the count starts over when the window has passed.
    /// </summary>
    public bool RequestRestartPermission(int maxNrOfRetries, TimeSpan? withinTimeRange, DateTimeOffset now)
    {
        if (maxNrOfRetries < 0)
        {
            return true;
        }

        if (maxNrOfRetries == 0)
        {
            return false;
        }

        if (withinTimeRange is { } window && (_restartsInWindow == 0 || now - _windowStart > window))
        {
            _windowStart = now;
            _restartsInWindow = 0;
        }

        _restartsInWindow++;
        return _restartsInWindow <= maxNrOfRetries;
    }
}
