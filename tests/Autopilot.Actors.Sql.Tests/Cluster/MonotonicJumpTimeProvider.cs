namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>
/// A process that was paused (GC, SIGSTOP): its monotonic clock jumps forward by <see cref="Jump"/> at once, while
/// timers keep running on real time and the wall clock is untouched.
/// </summary>
public sealed class MonotonicJumpTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public void Jump(TimeSpan by) => Interlocked.Add(ref _offsetTicks, (long)(by.TotalSeconds * System.TimestampFrequency));

    public override long GetTimestamp() => System.GetTimestamp() + Interlocked.Read(ref _offsetTicks);

    public override long TimestampFrequency => System.TimestampFrequency;
}
