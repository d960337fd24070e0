using Akka.Actor;

namespace Autopilot.Agents.Tests.Support;

/// <summary>
/// A <see cref="TimeProvider"/> that follows an actor system's scheduler, so the simulator's fakes, the fallback
/// tiers and the GitHub App token cache read the same clock as the actors: in tests Akka's <c>TestScheduler</c>, which
/// moves only when the test advances it. Timers are scheduled on that scheduler (a zero due time fires at once, as
/// on the system clock); a changed or disposed timer never fires its old schedule.
/// </summary>
public sealed class SchedulerClock(IScheduler scheduler) : TimeProvider
{
    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => scheduler.Now;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => scheduler.Now.UtcTicks;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SchedulerTimer(scheduler, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class SchedulerTimer(IScheduler scheduler, TimerCallback callback, object? state) : ITimer
    {
        private readonly object _lock = new();
        private long _generation;
        private bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            long generation;
            lock (_lock)
            {
                if (_disposed)
                {
                    return false;
                }

                generation = ++_generation;
            }

            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return true;
            }

            var repeat = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? (TimeSpan?)null : period;
            Arm(generation, dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime, repeat);
            return true;
        }

        private void Arm(long generation, TimeSpan due, TimeSpan? period)
        {
            if (due == TimeSpan.Zero)
            {
                ThreadPool.QueueUserWorkItem(_ => Fire(generation, period));
            }
            else
            {
                scheduler.Advanced.ScheduleOnce(due, () => Fire(generation, period));
            }
        }

        private void Fire(long generation, TimeSpan? period)
        {
            lock (_lock)
            {
                if (_disposed || generation != _generation)
                {
                    return;
                }
            }

            if (period is { } every)
            {
                Arm(generation, every, period);
            }

            callback(state);
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _disposed = true;
                _generation++;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
