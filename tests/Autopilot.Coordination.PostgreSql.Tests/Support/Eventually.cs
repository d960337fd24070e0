namespace Autopilot.Coordination.PostgreSql.Tests.Support;

/// <summary>Polling with a generous upper bound: a bound that fails the test only when something is really stuck.</summary>
public static class Eventually
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after <see cref="Patience"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? pollEvery = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await condition())
                return;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Gave up after {Patience.TotalSeconds:0} s waiting until {what}.");
            await Task.Delay(pollEvery ?? TimeSpan.FromMilliseconds(100));
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

    /// <summary>Awaits <paramref name="task"/>; fails with <paramref name="what"/> after <see cref="Patience"/>.</summary>
    public static async Task<T> WithinPatience<T>(Task<T> task, string what)
    {
        if (await Task.WhenAny(task, Task.Delay(Patience)) != task)
            Assert.Fail($"Gave up after {Patience.TotalSeconds:0} s waiting until {what}.");
        return await task;
    }
}
