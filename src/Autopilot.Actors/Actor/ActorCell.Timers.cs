namespace Autopilot.Actors;

internal sealed partial class ActorCell
{
    private TimerScheduler? _timers;

    /// <summary>The actor's timers, created on first use.</summary>
    public ITimerScheduler Timers => _timers ??= new TimerScheduler(this);

    /// <summary>Timers never outlive an incarnation: cancelled on stop and on restart.</summary>
    private void CancelAllTimers() => _timers?.CancelAll();
}
