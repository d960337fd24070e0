namespace Autopilot.Actors;

/// <summary>A timer's message wrapped with its key and generation, so stale firings can be recognised and dropped.</summary>
internal sealed record TimerMessage(object Key, int Generation, object Message);

/// <summary>
/// One actor's keyed timers. Touched only from the actor's own thread of control; the scheduler's callbacks only
/// tell the actor a <see cref="TimerMessage"/>, whose generation decides whether it still counts.
/// </summary>
internal sealed class TimerScheduler(ActorCell cell) : ITimerScheduler
{
    private readonly Dictionary<object, (int Generation, ICancelable Task, bool Periodic)> _timers = new();
    private int _generation;

    public int Count => _timers.Count;

    public void StartSingleTimer(object key, object message, TimeSpan delay) => Start(key, message, delay, null);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) => Start(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval) => Start(key, message, initialDelay, interval);

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var timer))
        {
            timer.Task.Cancel();
        }
    }

    public void CancelAll()
    {
        foreach (var timer in _timers.Values)
        {
            timer.Task.Cancel();
        }

        _timers.Clear();
    }

    /// <summary>Whether a fired timer message is current; a single timer is done once accepted.</summary>
    public bool Accept(TimerMessage message)
    {
        if (!_timers.TryGetValue(message.Key, out var timer) || timer.Generation != message.Generation)
        {
            return false;
        }

        if (!timer.Periodic)
        {
            _timers.Remove(message.Key);
        }

        return true;
    }

    private void Start(object key, object message, TimeSpan delay, TimeSpan? interval)
    {
        Cancel(key);
        var generation = ++_generation;
        var wrapped = new TimerMessage(key, generation, message);
        var scheduler = cell.System.Scheduler;
        var task = interval is { } period
            ? scheduler.ScheduleTellRepeatedly(delay, period, cell.Self, wrapped, cell.Self)
            : scheduler.ScheduleTellOnce(delay, cell.Self, wrapped, cell.Self);
        _timers[key] = (generation, task, interval is not null);
    }
}
