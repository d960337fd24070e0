namespace Autopilot.Actors.Persistence;

/// <summary>
/// A persistent actor could not write to or recover from its journal (the store was unreachable or the outcome of a
/// write is unknown). The actor fails with it, so its supervisor sees a failure rather than a quiet stop: Akka's
/// default decider stops the actor (a journal that is down would only be hammered by restarts), and a
/// <see cref="BackoffSupervisor"/> restarts it with growing pauses, replaying what is durable.
/// </summary>
public sealed class PersistenceFailureException(string message, Exception inner) : Exception(message, inner);
