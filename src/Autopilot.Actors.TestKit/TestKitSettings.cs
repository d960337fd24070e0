namespace Autopilot.Actors.TestKit;

/// <summary>Real-time waits of the TestKit's expectations (never the system's virtual clock).</summary>
/// <param name="SingleExpectDefault">How long an expectation waits by default.</param>
/// <param name="ExpectNoMessageDefault">How long <c>ExpectNoMsg</c> listens by default.</param>
/// <param name="TimeFactor">Multiplies every wait; raise it on slow machines (env <c>AUTOPILOT_TEST_TIMEFACTOR</c>).</param>
public sealed record TestKitSettings(TimeSpan SingleExpectDefault, TimeSpan ExpectNoMessageDefault, double TimeFactor)
{
    /// <summary>3 s expectations, 100 ms no-message windows, time factor from the environment (default 1).</summary>
    public static TestKitSettings Default { get; } = new(
        TimeSpan.FromSeconds(3),
        TimeSpan.FromMilliseconds(100),
        double.TryParse(Environment.GetEnvironmentVariable("AUTOPILOT_TEST_TIMEFACTOR"), System.Globalization.CultureInfo.InvariantCulture, out var factor) && factor > 0 ? factor : 1.0);

    /// <summary>Scales a wait by <see cref="TimeFactor"/>.</summary>
    public TimeSpan Dilated(TimeSpan duration) => TimeSpan.FromTicks((long)(duration.Ticks * TimeFactor));
}
