using Microsoft.Extensions.Time.Testing;

namespace Autopilot.Platforms.Tests.Support;

/// <summary>
/// Microsoft's <see cref="FakeTimeProvider"/> (time moves only on <c>Advance</c>), plus what these tests need on top: the
/// list of due times the code under test armed timers with (retry delays, per-attempt timeouts, Retry-After waits), and a
/// task that completes once such a timer is pending on the clock, so a test moves the clock only after the client is
/// actually waiting, and by exactly the amount that wakes it.
/// </summary>
/// <remarks>
/// <para>
/// Starts at 2025-01-01T00:00:00Z (the date the tests' fixtures and tokens were written against), never auto-advances.
/// Re-arming through <see cref="ITimer.Change"/> (how a <see cref="CancellationTokenSource"/> created over a provider
/// applies <c>CancelAfter</c>, and how Polly re-arms its pooled per-attempt timeout sources) is observed too.
/// </para>
/// <para>
/// Two properties of <see cref="FakeTimeProvider"/> shape this class. A timer's wake-up instant is fixed when it is put on
/// the clock, from the clock's reading at that moment: a timer that reaches the clock just after an <c>Advance</c> wakes
/// a whole due time after the new instant, so a test must not move the clock before the timer it waits for is on it.
/// And <c>Advance</c> moves the clock to its target first and then runs the timers that fell due (each sees the target
/// instant, not its own due instant); when another thread is already running due timers it leaves them to that thread
/// and may return before they have run. Hence <see cref="WhenDelayRequested"/> reports a timer only once it is on the
/// clock, and never one that is already due.
/// </para>
/// </remarks>
public sealed class ObservableFakeTimeProvider : FakeTimeProvider
{
    /// <summary>The clock's start instant.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly object _lock = new();
    private readonly List<TimeSpan> _requested = [];
    private readonly List<Arming> _pending = [];
    private readonly List<(Func<TimeSpan, bool> Match, TaskCompletionSource<TimeSpan> Signal)> _waiters = [];

    /// <summary>A clock at <paramref name="start"/> (default <see cref="DefaultStart"/>).</summary>
    public ObservableFakeTimeProvider(DateTimeOffset? start = null)
    {
        SetUtcNow(start ?? DefaultStart);
    }

    /// <summary>Every finite due time a timer was armed with, in order.</summary>
    public IReadOnlyList<TimeSpan> RequestedDelays
    {
        get
        {
            lock (_lock)
            {
                return _requested.ToArray();
            }
        }
    }

    /// <summary>
    /// Completes with the due time of a timer matching <paramref name="match"/> once one is pending on the clock: armed,
    /// scheduled on the underlying <see cref="FakeTimeProvider"/> (so advancing the clock by that due time wakes it), and
    /// not yet due. A timer that is already pending when this is called counts.
    /// </summary>
    public Task<TimeSpan> WhenDelayRequested(Func<TimeSpan, bool> match)
    {
        var now = Now;
        lock (_lock)
        {
            foreach (var arming in _pending)
            {
                if (arming.WakeAt > now && match(arming.Due))
                {
                    return Task.FromResult(arming.Due);
                }
            }

            var signal = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, signal));
            return signal.Task;
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(this, callback, state);
        timer.Inner = base.CreateTimer(timer.Fire, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(dueTime, period);
        return timer;
    }

    // The clock's reading in ticks, without running due timers (GetUtcNow would).
    private long Now => GetTimestamp();

    // Replaces the timer's current arming with the next one (null: disarmed). The new arming is not reported yet:
    // the underlying timer has not been changed.
    private void Replace(ObservedTimer timer, Arming? next)
    {
        lock (_lock)
        {
            if (timer.Current is { } previous)
            {
                _pending.Remove(previous);
            }

            timer.Current = next;
            if (next is not null)
            {
                _requested.Add(next.Due);
            }
        }
    }

    // The underlying timer now holds the arming: from here on, advancing the clock by its due time wakes it.
    private void OnClock(ObservedTimer timer, Arming arming)
    {
        var signals = new List<TaskCompletionSource<TimeSpan>>();
        var now = Now;
        lock (_lock)
        {
            // Fired already (a due time of zero fires inside Change), re-armed or disposed meanwhile: nothing to report.
            if (!ReferenceEquals(timer.Current, arming) || arming.WakeAt <= now)
            {
                return;
            }

            _pending.Add(arming);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(arming.Due))
                {
                    signals.Add(_waiters[i].Signal);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var signal in signals)
        {
            signal.TrySetResult(arming.Due);
        }
    }

    private void Fired(ObservedTimer timer)
    {
        var now = Now;
        lock (_lock)
        {
            // A callback of an arming that was replaced while it was being run leaves the new arming alone.
            if (timer.Current is not { } arming || arming.WakeAt > now)
            {
                return;
            }

            if (arming.Period > TimeSpan.Zero)
            {
                while (arming.WakeAt <= now)
                {
                    arming.WakeAt += arming.Period.Ticks;
                }
            }
            else
            {
                _pending.Remove(arming);
                timer.Current = null;
            }
        }
    }

    /// <summary>One <see cref="ITimer.Change"/> of a timer to a finite due time.</summary>
    private sealed class Arming(TimeSpan due, TimeSpan period, long wakeAt)
    {
        public TimeSpan Due { get; } = due;

        public TimeSpan Period { get; } = period;

        /// <summary>The clock reading (ticks) at which the timer falls due.</summary>
        public long WakeAt { get; set; } = wakeAt;
    }

    private sealed class ObservedTimer(ObservableFakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public ITimer Inner { get; set; } = null!;

        public Arming? Current { get; set; }

        public void Fire(object? _)
        {
            owner.Fired(this);
            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                owner.Replace(this, null);
                return Inner.Change(dueTime, period);
            }

            // The wake-up instant is fixed from the clock's reading when the underlying timer is changed; the clock moves
            // only when a test advances it, which a test does only after the timer it waits for is reported, below.
            var periodic = period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero;
            var arming = new Arming(dueTime, periodic ? period : TimeSpan.Zero, owner.Now + dueTime.Ticks);
            owner.Replace(this, arming);
            var changed = Inner.Change(dueTime, period);
            owner.OnClock(this, arming);
            return changed;
        }

        public void Dispose()
        {
            owner.Replace(this, null);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
