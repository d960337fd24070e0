using Autopilot.Actors.Persistence;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Query;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Persistence.Snapshots;
using Autopilot.Actors.TestKit;
using Autopilot.Agents.Alerts;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Alerts;

/// <summary>A virtual-time test kit with the in-memory journal started and the alert (and audit) events registered.</summary>
public abstract class JournaledTestKit : TestKit
{
    private readonly InMemoryEventJournal _journal;

    /// <summary>Starts persistence on the test's actor system.</summary>
    protected JournaledTestKit(ITestOutputHelper output) : base((string?)null, output, virtualTime: true)
    {
        var serializer = AlertEvents.Register(new EventSerializer());
        _journal = new InMemoryEventJournal(serializer);
        _journal.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        PersistenceExtension.Start(Sys, _journal, new InMemorySnapshotStore(serializer));
    }

    /// <summary>Every event persisted under <paramref name="persistenceId"/>, in order.</summary>
    protected IReadOnlyList<object> Journal(string persistenceId) =>
        new PersistenceQuery(_journal).CurrentEventsByPersistenceId(persistenceId).ToBlockingEnumerable().Select(e => e.Event).ToArray();

    /// <summary>Lets virtual time pass in <paramref name="step"/>s (real time in between for I/O and mailboxes) until <paramref name="condition"/> holds.</summary>
    protected void AdvanceUntil(Func<bool> condition, TimeSpan step, string what, int maxSteps = 300)
    {
        for (var i = 0; i < maxSteps; i++)
        {
            if (condition())
            {
                return;
            }

            Time.Advance(step);
            Thread.Sleep(20);
        }

        Assert.True(condition(), $"Gave up waiting for: {what}");
    }
}
