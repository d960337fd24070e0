namespace Autopilot.Actors;

/// <summary>When a <see cref="BackoffSupervisor"/> brings its child back.</summary>
public enum BackoffMode
{
    /// <summary>After the child throws (the child is stopped, then started again after the backoff).</summary>
    OnFailure,

    /// <summary>Whenever the child stops, for whatever reason.</summary>
    OnStop,
}

/// <summary>
/// How a <see cref="BackoffSupervisor"/> restarts its child: delays grow from <see cref="MinBackoff"/> doubling up to
/// <see cref="MaxBackoff"/>, spread by <see cref="RandomFactor"/> so many actors do not retry in lock step.
/// </summary>
/// <param name="ChildProps">The child's recipe.</param>
/// <param name="ChildName">The child's name (stable across restarts).</param>
/// <param name="MinBackoff">First delay.</param>
/// <param name="MaxBackoff">Largest delay.</param>
/// <param name="RandomFactor">0.2 adds up to 20% to each delay.</param>
/// <param name="Mode">Restart on failure or on any stop.</param>
/// <param name="ResetBackoffAfter">A child that stays up this long is healthy again: the next failure starts from <see cref="MinBackoff"/>. Null: <see cref="MinBackoff"/> (Akka's default).</param>
/// <param name="MaxNrOfRetries">Restarts before the supervisor gives up and stops; -1 unlimited.</param>
/// <param name="Decider">For <see cref="BackoffMode.OnFailure"/>: which failures restart (Restart) and which stop for good (Stop) or escalate; <see cref="BackoffSupervisor.DefaultDecider"/> when null.</param>
public sealed record BackoffOptions(
    Props ChildProps,
    string ChildName,
    TimeSpan MinBackoff,
    TimeSpan MaxBackoff,
    double RandomFactor,
    BackoffMode Mode = BackoffMode.OnFailure,
    TimeSpan? ResetBackoffAfter = null,
    int MaxNrOfRetries = -1,
    Func<Exception, Directive>? Decider = null)
{
    /// <summary>The delay before restart number <paramref name="restartCount"/> (0-based).</summary>
    public TimeSpan DelayFor(int restartCount, double random)
    {
        var exponential = MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(restartCount, 30));
        var capped = Math.Min(MaxBackoff.TotalMilliseconds, exponential);
        return TimeSpan.FromMilliseconds(capped * (1 + (random * RandomFactor)));
    }
}
