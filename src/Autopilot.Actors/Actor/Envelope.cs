namespace Autopilot.Actors;

/// <summary>A user message and who sent it, as it waits in a mailbox or a stash.</summary>
public readonly record struct Envelope(object Message, IActorRef Sender);
