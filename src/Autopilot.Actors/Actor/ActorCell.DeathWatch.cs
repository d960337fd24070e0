using Autopilot.Actors.Dispatch;

namespace Autopilot.Actors;

internal sealed partial class ActorCell
{
    private bool _terminated;
    private HashSet<ActorRefBase>? _watchedBy;
    private HashSet<ActorRefBase>? _watching;
    private HashSet<IActorRef>? _terminatedQueued;

    /// <summary>Whether the actor has fully terminated (its mailbox closed, watchers told).</summary>
    public bool IsTerminated
    {
        get
        {
            lock (_lock)
            {
                return _terminated;
            }
        }
    }

    /// <summary>
    /// Queues a runtime signal, except a watch that arrives after termination: that one is answered at once, so
    /// watching an already dead actor still yields <see cref="Terminated"/>.
    /// </summary>
    public void SendSystemMessage(SystemMessage message)
    {
        if (message is Watch watch && ReferenceEquals(watch.Watchee, Self))
        {
            lock (_lock)
            {
                if (!_terminated)
                {
                    Mailbox.PostSystem(message);
                    return;
                }
            }

            watch.Watcher.SendSystemMessage(new DeathWatchNotification(Self, ExistenceConfirmed: true));
            return;
        }

        Mailbox.PostSystem(message);
    }

    public IActorRef Watch(IActorRef actor)
    {
        if (actor is ActorRefBase target && !ReferenceEquals(target, Self) && (_watching ??= []).Add(target))
        {
            target.SendSystemMessage(new Watch(target, Self));
        }

        return actor;
    }

    public IActorRef Unwatch(IActorRef actor)
    {
        if (actor is ActorRefBase target && _watching is not null && _watching.Remove(target))
        {
            target.SendSystemMessage(new Unwatch(target, Self));
        }

        _terminatedQueued?.Remove(actor);
        return actor;
    }

    private void AddWatcher(Watch watch)
    {
        if (ReferenceEquals(watch.Watchee, Self) && !ReferenceEquals(watch.Watcher, Self))
        {
            (_watchedBy ??= []).Add(watch.Watcher);
        }
    }

    private void RemoveWatcher(Unwatch unwatch)
    {
        if (ReferenceEquals(unwatch.Watchee, Self))
        {
            _watchedBy?.Remove(unwatch.Watcher);
        }
    }

    private void WatchedActorTerminated(DeathWatchNotification notification)
    {
        if (_watching is null || !_watching.Remove(notification.Actor) || _terminating)
        {
            return;
        }

        (_terminatedQueued ??= []).Add(notification.Actor);
        Mailbox.Post(new Envelope(new WatchedTerminated(new Terminated(notification.Actor, notification.ExistenceConfirmed)), notification.Actor));
    }

    /// <summary>
    /// A <see cref="Terminated"/> produced by death watch, marked so that an <c>Unwatch</c> after it was queued can
    /// still suppress it (a <see cref="Terminated"/> an actor merely forwards is an ordinary message).
    /// </summary>
    internal sealed record WatchedTerminated(Terminated Terminated);

    private void TellWatchersWeDied()
    {
        if (_watchedBy is not null)
        {
            foreach (var watcher in _watchedBy)
            {
                watcher.SendSystemMessage(new DeathWatchNotification(Self, ExistenceConfirmed: true));
            }

            _watchedBy = null;
        }

        if (_watching is not null)
        {
            foreach (var watchee in _watching)
            {
                watchee.SendSystemMessage(new Unwatch(watchee, Self));
            }

            _watching = null;
        }

        _terminatedQueued = null;
    }

    /// <summary>Signals reaching the mailbox after it closed: late watches are answered, the rest is moot.</summary>
    public void SystemInvokeAfterTermination(SystemMessage message)
    {
        if (message is Watch watch && ReferenceEquals(watch.Watchee, Self))
        {
            watch.Watcher.SendSystemMessage(new DeathWatchNotification(Self, ExistenceConfirmed: true));
        }
    }
}
