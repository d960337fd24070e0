namespace Autopilot.Actors.Persistence.Journal;

/// <summary>Health of a journal or snapshot store as <c>/health</c> reports it.</summary>
/// <param name="Status">Starting, Healthy or Unreachable.</param>
/// <param name="Detail">Why it is not healthy (no secrets: connection strings are never included).</param>
/// <param name="ConsecutiveFailures">Failed connection attempts since the last success.</param>
public sealed record JournalHealth(JournalStatus Status, string? Detail = null, int ConsecutiveFailures = 0)
{
    /// <summary>The state before <see cref="IEventJournal.StartAsync"/> finishes.</summary>
    public static JournalHealth Starting { get; } = new(JournalStatus.Starting);

    /// <summary>Connected and writable.</summary>
    public static JournalHealth Healthy { get; } = new(JournalStatus.Healthy);
}

/// <summary>Coarse state of a store.</summary>
public enum JournalStatus
{
    /// <summary>Not started yet or still creating its schema.</summary>
    Starting,

    /// <summary>Connected and writable.</summary>
    Healthy,

    /// <summary>The database cannot be reached; the store keeps retrying with backoff.</summary>
    Unreachable,
}
