using Akka.Actor;

namespace Autopilot.Agents.Time;

/// <summary>
/// A <see cref="TimeProvider"/> that reads the actor system's clock (<see cref="ITimeProvider"/>, which every Akka
/// <see cref="IScheduler"/> is), so code outside actors that wants a <see cref="TimeProvider"/> (platform clients, the
/// fallback tier runner) follows the same time as the actors — including Akka's TestScheduler in tests, where time moves
/// only when the test advances it.
/// </summary>
/// <remarks>
/// Only the clock is adapted: timers created through <see cref="TimeProvider.CreateTimer"/> still run on the real clock,
/// so schedule delayed work through the actor system, not through this provider.
/// </remarks>
public sealed class SchedulerTimeProvider : TimeProvider
{
    private readonly ITimeProvider _clock;

    /// <summary>Wraps <paramref name="clock"/>, usually <c>system.Scheduler</c>.</summary>
    public SchedulerTimeProvider(ITimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
    }

    /// <summary>The scheduler's clock of <paramref name="system"/>.</summary>
    public static SchedulerTimeProvider For(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new SchedulerTimeProvider(system.Scheduler);
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _clock.Now.ToUniversalTime();

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => _clock.MonotonicClock.Ticks;
}
