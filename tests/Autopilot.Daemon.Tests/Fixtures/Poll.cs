namespace Autopilot.Daemon.Tests.Fixtures;

/// <summary>Waits for a condition with a generous deadline (no timing assertions, only "eventually").</summary>
public static class Poll
{
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? deadline = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, deadline);

    /// <summary>
    /// Waits for an asynchronous condition (an HTTP answer, a database query). <paramref name="hopeless"/> ends the wait
    /// early (e.g. the daemon process exited); <paramref name="context"/> is added to the failure (e.g. its log's tail).
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null, Func<bool>? hopeless = null, Func<string>? context = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > until || hopeless?.Invoke() == true)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.{(context is null ? "" : $"\n{context()}")}");
            }

            await Task.Delay(20);
        }
    }
}
