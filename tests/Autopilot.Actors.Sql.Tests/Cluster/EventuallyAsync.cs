namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>
/// Polls an asynchronous condition (e.g. a database query) with a generous deadline, without blocking a thread
/// pool thread, so the nodes' own loops are never starved by the test.
/// </summary>
public static class EventuallyAsync
{
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> attempt, string what) where T : class
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (await attempt() is { } value)
                return value;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Gave up waiting for: {what}");
            await Task.Delay(20);
        }
    }
}
