namespace Autopilot.Actors;

/// <summary>A user message and who sent it, as it waits in a mailbox or a stash.</summary>
public readonly record struct Envelope(object Message, IActorRef Sender)
{
    /// <summary>Whether <paramref name="other"/> is this very delivery: the same message object from the same sender (value equality would confuse two equal messages).</summary>
    internal bool IsSameDelivery(in Envelope other) => ReferenceEquals(Message, other.Message) && Equals(Sender, other.Sender);
}
