namespace Autopilot.Actors.Event;

/// <summary>A message that could not be delivered: its recipient was dead, or its bounded mailbox full.</summary>
/// <param name="Message">The undelivered message.</param>
/// <param name="Sender">Who sent it.</param>
/// <param name="Recipient">Who it was for.</param>
/// <param name="Reason">Why it was not delivered, when more is known than "recipient dead".</param>
public sealed record DeadLetter(object Message, IActorRef Sender, IActorRef Recipient, string? Reason = null);

/// <summary>A message an actor did not handle.</summary>
public sealed record UnhandledMessage(object Message, IActorRef Sender, IActorRef Recipient);
