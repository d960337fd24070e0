using Microsoft.Extensions.Time.Testing;

namespace Autopilot.Platforms.Tests.Support;

/// <summary>
/// Microsoft's <see cref="FakeTimeProvider"/> (time moves only on <c>Advance</c>, which fires every timer falling due on
/// the way, in due order, with the clock set to each due time), plus what these tests need on top: the list of due
/// times the code under test armed timers with (retry delays, per-attempt timeouts, Retry-After waits), and a task that
/// completes once such a timer is armed, so a test moves the clock only after the client is actually waiting.
/// </summary>
/// <remarks>
/// Starts at 2025-01-01T00:00:00Z (the date the tests' fixtures and tokens were written against), never auto-advances.
/// Re-arming through <see cref="ITimer.Change"/> (how a <see cref="CancellationTokenSource"/> created over a provider
/// applies <c>CancelAfter</c>) is observed too.
/// </remarks>
public sealed class ObservableFakeTimeProvider : FakeTimeProvider
{
    /// <summary>The clock's start instant.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly object _lock = new();
    private readonly List<TimeSpan> _requested = [];
    private readonly List<TimeSpan> _armed = [];
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
    /// Completes with the due time of a timer matching <paramref name="match"/> once one is armed (or already is armed
    /// and not yet fired or cancelled).
    /// </summary>
    public Task<TimeSpan> WhenDelayRequested(Func<TimeSpan, bool> match)
    {
        lock (_lock)
        {
            foreach (var due in _armed)
            {
                if (match(due))
                {
                    return Task.FromResult(due);
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

    private void Armed(ObservedTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        var signals = new List<TaskCompletionSource<TimeSpan>>();
        lock (_lock)
        {
            Disarmed(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            timer.ArmedWith = dueTime;
            timer.Periodic = period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero;
            _armed.Add(dueTime);
            _requested.Add(dueTime);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(dueTime))
                {
                    signals.Add(_waiters[i].Signal);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var signal in signals)
        {
            signal.TrySetResult(dueTime);
        }
    }

    private void Disarmed(ObservedTimer timer)
    {
        lock (_lock)
        {
            if (timer.ArmedWith is { } previous)
            {
                _armed.Remove(previous);
                timer.ArmedWith = null;
            }
        }
    }

    private sealed class ObservedTimer(ObservableFakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public ITimer Inner { get; set; } = null!;

        public TimeSpan? ArmedWith { get; set; }

        public bool Periodic { get; set; }

        public void Fire(object? _)
        {
            if (!Periodic)
            {
                owner.Disarmed(this);
            }

            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Armed(this, dueTime, period);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            owner.Disarmed(this);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
