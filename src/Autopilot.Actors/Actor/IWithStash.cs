namespace Autopilot.Actors;

/// <summary>
/// Marks an actor that sets messages aside (<see cref="IStash.Stash"/>) until it can handle them. The runtime sets
/// <see cref="Stash"/> before the actor's constructor body runs.
/// </summary>
public interface IWithStash
{
    /// <summary>The actor's stash; survives <c>Become</c> and restarts (unstashed to the new instance).</summary>
    IStash Stash { get; set; }
}

/// <summary>Messages an actor has set aside.</summary>
public interface IStash
{
    /// <summary>Sets the current message (and its sender) aside.</summary>
    void Stash();

    /// <summary>Returns the oldest stashed message to the front of the mailbox.</summary>
    void Unstash();

    /// <summary>Returns every stashed message to the front of the mailbox, in the order they were stashed.</summary>
    void UnstashAll();

    /// <summary>Drops the stash and returns what it held.</summary>
    IReadOnlyList<Envelope> ClearStash();

    /// <summary>How many messages are stashed.</summary>
    int Count { get; }
}
