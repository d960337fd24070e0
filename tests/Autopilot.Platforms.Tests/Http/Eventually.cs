namespace Autopilot.Platforms.Tests.Http;

/// <summary>Polls a condition that another thread will make true, with a generous deadline (never a timing assertion).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string? because = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Condition not met within 30 s{(because is null ? "" : ": " + because)}.");
            await Task.Delay(10);
        }
    }
}
