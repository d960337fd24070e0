namespace Autopilot.Daemon.Tests.Fixtures;

/// <summary>Waits for a condition with a generous deadline (no timing assertions, only "eventually").</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.");
            }

            await Task.Delay(20);
        }
    }
}
