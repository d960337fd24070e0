namespace Autopilot.Simulator.Hosting;

/// <summary>
/// A <see cref="TimeProvider"/> whose time only moves when told to. Fakes and clients share one so a test can
/// walk a deployment through its states, expire a token or sit out a Retry-After without real waiting, and can
/// assert exactly which delays were requested.
/// </summary>
public sealed class VirtualClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private readonly List<TimeSpan> _requestedDelays = [];
    private readonly List<(Func<TimeSpan, bool> Match, TaskCompletionSource<TimeSpan> Signal)> _waiters = [];
    private DateTimeOffset _now;

    /// <summary>Starts the clock at <paramref name="start"/> (default: 2025-01-01T00:00:00Z).</summary>
    public VirtualClock(DateTimeOffset? start = null) => _now = start ?? new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    /// <inheritdoc />
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Every finite due time a timer was armed with, in order (retry delays, timeouts, polls).</summary>
    public IReadOnlyList<TimeSpan> RequestedDelays
    {
        get { lock (_gate) return _requestedDelays.ToArray(); }
    }

    /// <summary>Number of timers currently armed and not yet fired.</summary>
    public int PendingTimers
    {
        get { lock (_gate) return _timers.Count(t => t.DueAt is not null); }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        lock (_gate) _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Completes when a timer whose due time satisfies <paramref name="match"/> is armed (or already was), with that
    /// due time. Lets a test wait until the code under test is actually waiting before moving time.
    /// </summary>
    public Task<TimeSpan> WhenDelayRequested(Func<TimeSpan, bool> match)
    {
        lock (_gate)
        {
            var existing = _timers.Where(t => t.DueAt is not null).Select(t => t.RequestedDueTime).FirstOrDefault(d => match(d), TimeSpan.MinValue);
            if (existing != TimeSpan.MinValue) return Task.FromResult(existing);
            var signal = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, signal));
            return signal.Task;
        }
    }

    /// <summary>Moves time forward, firing every timer that falls due on the way in due-time order.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate) target = _now + by;
        while (true)
        {
            VirtualTimer? due;
            lock (_gate)
            {
                due = _timers.Where(t => t.DueAt is { } at && at <= target).MinBy(t => t.DueAt);
                if (due is null)
                {
                    _now = target;
                    return;
                }
                if (due.DueAt > _now) _now = due.DueAt!.Value;
                due.Rearm();
            }
            due.Fire();
        }
    }

    /// <summary>Sets the clock to an absolute time (must not go backwards), firing due timers.</summary>
    public void AdvanceTo(DateTimeOffset instant) => Advance(instant - GetUtcNow());

    private void Arm(VirtualTimer timer, TimeSpan dueTime)
    {
        List<TaskCompletionSource<TimeSpan>> toSignal = [];
        lock (_gate)
        {
            _requestedDelays.Add(dueTime);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Match(dueTime)) continue;
                toSignal.Add(_waiters[i].Signal);
                _waiters.RemoveAt(i);
            }
        }
        foreach (var signal in toSignal) signal.TrySetResult(dueTime);
    }

    private void Remove(VirtualTimer timer)
    {
        lock (_gate) _timers.Remove(timer);
    }

    private sealed class VirtualTimer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        // Guarded by clock._gate.
        public DateTimeOffset? DueAt { get; private set; }
        public TimeSpan RequestedDueTime { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var armed = dueTime != Timeout.InfiniteTimeSpan;
            lock (clock._gate)
            {
                _period = period;
                RequestedDueTime = dueTime;
                DueAt = armed ? clock._now + dueTime : null;
            }
            if (armed) clock.Arm(this, dueTime);
            return true;
        }

        // Called under clock._gate just before firing: periodic timers re-arm, one-shot timers disarm.
        public void Rearm() =>
            DueAt = _period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero ? null : DueAt + _period;

        public void Fire() => callback(state);

        public void Dispose() => clock.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
