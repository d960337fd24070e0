using Autopilot.Actors.Persistence.Journal;

namespace Autopilot.Agents.Tests.Support;

/// <summary>A journal whose database can be taken away: while <see cref="IsDown"/>, every write fails as unreachable.</summary>
public sealed class JournalOutage(IEventJournal inner) : EventJournalDecorator(inner)
{
    private volatile bool _down;

    /// <summary>Whether writes fail now.</summary>
    public bool IsDown
    {
        get => _down;
        set => _down = value;
    }

    /// <inheritdoc />
    public override Task WriteAsync(AtomicWrite write, CancellationToken cancellationToken = default) =>
        _down ? Task.FromException(new JournalUnavailableException("the database is unreachable (test outage)")) : base.WriteAsync(write, cancellationToken);
}
