namespace Autopilot.Daemon.Dashboard;

/// <summary>Searches in lists kept in time order (probe samples, the audit window), so a window's start is found, not scanned for.</summary>
internal static class TimeOrder
{
    /// <summary>The index of the first item at or after <paramref name="at"/> (the count when there is none).</summary>
    public static int FirstAtOrAfter<T>(IReadOnlyList<T> items, Func<T, DateTimeOffset> timeOf, DateTimeOffset at)
    {
        int low = 0, high = items.Count;
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (timeOf(items[mid]) < at)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
