namespace Autopilot.Actors;

/// <summary>
/// Marks an actor that owns timers. The runtime sets <see cref="Timers"/> before the actor's constructor body runs;
/// all of them are cancelled when the actor stops or restarts, and a message from a timer that was cancelled or
/// replaced is never delivered, even if it was already queued.
/// </summary>
public interface IWithTimers
{
    /// <summary>The actor's timers.</summary>
    ITimerScheduler Timers { get; set; }
}

/// <summary>Keyed timers that send messages to their own actor.</summary>
public interface ITimerScheduler
{
    /// <summary>Sends <paramref name="message"/> once after <paramref name="delay"/>; replaces a timer with the same key.</summary>
    void StartSingleTimer(object key, object message, TimeSpan delay);

    /// <summary>Sends <paramref name="message"/> every <paramref name="interval"/>; replaces a timer with the same key.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan interval);

    /// <summary>Like <see cref="StartPeriodicTimer(object, object, TimeSpan)"/> with a different first delay.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval);

    /// <summary>Whether a timer with this key is running.</summary>
    bool IsTimerActive(object key);

    /// <summary>Cancels the timer with this key.</summary>
    void Cancel(object key);

    /// <summary>Cancels every timer.</summary>
    void CancelAll();
}
