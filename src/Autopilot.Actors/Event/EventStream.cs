namespace Autopilot.Actors.Event;

/// <summary>
/// The system-wide publish/subscribe bus: subscribers register for a type and receive every published event
/// assignable to it (dead letters, unhandled messages, log events, and anything the application publishes).
/// </summary>
public sealed class EventStream
{
    private readonly object _lock = new();
    private (Type Channel, IActorRef Subscriber)[] _subscriptions = [];

    /// <summary>Subscribes <paramref name="subscriber"/> to events of <paramref name="channel"/> and its subtypes.</summary>
    /// <returns>False if it was already subscribed to exactly that channel.</returns>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        lock (_lock)
        {
            if (_subscriptions.Any(s => s.Channel == channel && s.Subscriber.Equals(subscriber)))
            {
                return false;
            }

            _subscriptions = [.. _subscriptions, (channel, subscriber)];
            return true;
        }
    }

    /// <summary>Removes one subscription.</summary>
    public bool Unsubscribe(IActorRef subscriber, Type channel)
    {
        lock (_lock)
        {
            var remaining = _subscriptions.Where(s => !(s.Channel == channel && s.Subscriber.Equals(subscriber))).ToArray();
            var removed = remaining.Length != _subscriptions.Length;
            _subscriptions = remaining;
            return removed;
        }
    }

    /// <summary>Removes every subscription of <paramref name="subscriber"/>.</summary>
    public void Unsubscribe(IActorRef subscriber)
    {
        lock (_lock)
        {
            _subscriptions = _subscriptions.Where(s => !s.Subscriber.Equals(subscriber)).ToArray();
        }
    }

    /// <summary>Delivers <paramref name="event"/> to every matching subscriber (each at most once).</summary>
    public void Publish(object @event)
    {
        var type = @event.GetType();
        IActorRef? last = null;
        foreach (var (channel, subscriber) in Volatile.Read(ref _subscriptions))
        {
            if (channel.IsAssignableFrom(type) && !subscriber.Equals(last))
            {
                subscriber.Tell(@event, ActorRefs.NoSender);
                last = subscriber;
            }
        }
    }
}
