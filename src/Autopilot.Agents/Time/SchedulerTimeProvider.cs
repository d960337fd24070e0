using Akka.Actor;

namespace Autopilot.Agents.Time;

/// <summary>
/// A <see cref="TimeProvider"/> on an actor system's scheduler, so code outside actors that wants a
/// <see cref="TimeProvider"/> (platform clients, the fallback tier runner, the simulator's fakes) keeps the same time as
/// the actors: its clock, its timestamps and its timers are the scheduler's. Under Akka's TestScheduler all three move
/// only when the test advances it, so a duration measured here and a timer armed here agree with the actors' timers.
/// </summary>
/// <remarks>
/// Timestamps are the scheduler's <see cref="ITimeProvider.Now"/> in ticks: the actors' timers follow the same clock,
/// so a step of the wall clock affects both alike. A timer with a zero due time fires at once, as on the system clock;
/// a changed or disposed timer never fires its old schedule.
/// </remarks>
public sealed class SchedulerTimeProvider : TimeProvider
{
    private readonly IScheduler _scheduler;

    /// <summary>Wraps <paramref name="scheduler"/>, usually <c>system.Scheduler</c>.</summary>
    public SchedulerTimeProvider(IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        _scheduler = scheduler;
    }

    /// <summary>The scheduler of <paramref name="system"/>.</summary>
    public static SchedulerTimeProvider For(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new SchedulerTimeProvider(system.Scheduler);
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _scheduler.Now.ToUniversalTime();

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => _scheduler.Now.UtcTicks;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new SchedulerTimer(_scheduler, callback, state);
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
    }
}
