namespace Autopilot.Actors.Dispatch;

/// <summary>What a bounded mailbox does with a message that arrives when it is full.</summary>
public enum MailboxOverflow
{
    /// <summary>The new message becomes a dead letter (published on the event stream, so it is visible, never silent).</summary>
    DeadLetter,

    /// <summary><c>Tell</c> throws <see cref="MailboxFullException"/> to the sender.</summary>
    Throw,
}

/// <summary>
/// Mailbox shape for one actor. Unbounded by default (as in Akka.NET); a capacity makes it bounded with an overflow
/// policy that never blocks a sender: a blocked sender on a thread pool is how actor systems deadlock.
/// </summary>
/// <param name="Capacity">Maximum queued user messages; 0 means unbounded.</param>
/// <param name="Overflow">What happens to a message that does not fit.</param>
public sealed record MailboxSettings(int Capacity = 0, MailboxOverflow Overflow = MailboxOverflow.DeadLetter)
{
    /// <summary>No limit.</summary>
    public static MailboxSettings Unbounded { get; } = new();

    /// <summary>Whether a capacity applies.</summary>
    public bool IsBounded => Capacity > 0;
}
