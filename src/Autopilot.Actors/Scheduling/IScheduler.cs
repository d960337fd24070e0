namespace Autopilot.Actors;

/// <summary>
/// The one way the runtime waits: timers, ask timeouts, backoffs and FSM state timeouts all go through it, and it
/// goes through a <see cref="System.TimeProvider"/>, so a test that swaps in virtual time controls every clock.
/// </summary>
public interface IScheduler
{
    /// <summary>The clock all scheduling uses.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>Now, by <see cref="TimeProvider"/>.</summary>
    DateTimeOffset Now { get; }

    /// <summary>Timers scheduled and not yet fired (once) or cancelled; for leak checks and diagnostics.</summary>
    int ActiveTimers { get; }

    /// <summary>Sends <paramref name="message"/> to <paramref name="receiver"/> after <paramref name="delay"/>.</summary>
    ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender = null);

    /// <summary>Sends <paramref name="message"/> after <paramref name="initialDelay"/> and then every <paramref name="interval"/>.</summary>
    ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender = null);

    /// <summary>Runs <paramref name="action"/> on the thread pool after <paramref name="delay"/>. Prefer telling an actor.</summary>
    ICancelable ScheduleOnce(TimeSpan delay, Action action);
}
