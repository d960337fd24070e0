using System.Diagnostics;

namespace Autopilot.Daemon.ClusterHarness.Cluster;

/// <summary>
/// Waits for a condition with a generous deadline. The deadline only turns a hang into a readable failure: nothing
/// asserts how fast the cluster is (a loaded CI machine may be slow, never wrong).
/// </summary>
public static class Eventually
{
    /// <summary>How often conditions are evaluated.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="condition"/> until it returns a value; exceptions count as "not yet".</summary>
    /// <exception cref="TimeoutException">Names <paramref name="what"/> and the last exception, if any.</exception>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> condition, string what, TimeSpan deadline) where T : class
    {
        ArgumentNullException.ThrowIfNull(condition);
        var started = Stopwatch.GetTimestamp();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition().ConfigureAwait(false) is { } value)
                {
                    return value;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or System.Text.Json.JsonException or FormatException)
            {
                last = e;
            }

            if (Stopwatch.GetElapsedTime(started) > deadline)
            {
                throw new TimeoutException($"Gave up after {deadline.TotalSeconds:F0} s waiting for {what}." + (last is null ? "" : $" Last error: {last.Message}"));
            }

            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it is true.</summary>
    /// <exception cref="TimeoutException">Names <paramref name="what"/>.</exception>
    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan deadline) =>
        ValueAsync<object>(async () => await condition().ConfigureAwait(false) ? true : null, what, deadline);

    /// <summary>Polls a synchronous <paramref name="condition"/> until it is true.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan deadline) =>
        UntilAsync(() => Task.FromResult(condition()), what, deadline);
}
