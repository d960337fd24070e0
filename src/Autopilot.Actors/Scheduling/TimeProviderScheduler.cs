namespace Autopilot.Actors;

/// <summary>The scheduler on a <see cref="TimeProvider"/> (the system clock in production, virtual time in tests).</summary>
internal sealed class TimeProviderScheduler(TimeProvider timeProvider) : IScheduler
{
    private int _active;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public DateTimeOffset Now => TimeProvider.GetUtcNow();

    public int ActiveTimers => Volatile.Read(ref _active);

    public ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender = null)
    {
        sender ??= (IActorRef?)ActorCell.Current?.Self ?? Nobody.Instance;
        return Start(delay, Timeout.InfiniteTimeSpan, () => receiver.Tell(message, sender));
    }

    public ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender = null)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "A repeating interval must be positive.");
        }

        sender ??= (IActorRef?)ActorCell.Current?.Self ?? Nobody.Instance;
        return Start(initialDelay, interval, () => receiver.Tell(message, sender));
    }

    public ICancelable ScheduleOnce(TimeSpan delay, Action action) => Start(delay, Timeout.InfiniteTimeSpan, action);

    private ScheduledTimer Start(TimeSpan delay, TimeSpan period, Action action)
    {
        Interlocked.Increment(ref _active);
        var scheduled = new ScheduledTimer(this, action, repeating: period != Timeout.InfiniteTimeSpan);
        scheduled.Begin(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, period);
        return scheduled;
    }

    private void Released() => Interlocked.Decrement(ref _active);

    private sealed class ScheduledTimer(TimeProviderScheduler owner, Action action, bool repeating) : ICancelable
    {
        private ITimer? _timer;
        private int _done;

        public bool IsCancellationRequested { get; private set; }

        public void Begin(TimeSpan delay, TimeSpan period)
        {
            var timer = owner.TimeProvider.CreateTimer(static s => ((ScheduledTimer)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            Volatile.Write(ref _timer, timer);
            if (Volatile.Read(ref _done) == 0)
            {
                timer.Change(delay, period);
            }
            else
            {
                timer.Dispose();
            }
        }

        public void Cancel()
        {
            IsCancellationRequested = true;
            Release();
        }

        private void Fire()
        {
            if (Volatile.Read(ref _done) != 0)
            {
                return;
            }

            if (!repeating)
            {
                Release();
            }

            action();
        }

        private void Release()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Volatile.Read(ref _timer)?.Dispose();
                owner.Released();
            }
        }
    }
}
