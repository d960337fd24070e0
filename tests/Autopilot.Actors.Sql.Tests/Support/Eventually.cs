namespace Autopilot.Actors.Sql.Tests.Support;

/// <summary>Polls a condition with a generous deadline (no timing is asserted; the deadline only stops a hung test).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(60));
        while (!condition())
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Gave up waiting for: {what}");
            await Task.Delay(10);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Gave up waiting for: {what}");
            await Task.Delay(10);
        }
    }
}
