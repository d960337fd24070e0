using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.TestKit;
using Akka.TestKit;
using Autopilot.Agents.Serialization;
using Autopilot.Agents.Time;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Support;

/// <summary>
/// Akka's xunit TestKit set up the way the agents' tests need it: virtual time (Akka's <see cref="TestScheduler"/>,
/// followed by <see cref="Clock"/> for the fakes and clients), Akka.Persistence.TestKit's <c>TestJournal</c> (in
/// memory, with write and recovery faults on demand through <see cref="JournalFaults"/>) and an in-memory snapshot
/// store, with the agents' serializer, its bindings and the audit tagger exactly as <see cref="AgentsPersistence"/>
/// gives them. Snapshots are stored through that serializer (see <see cref="RoundTripSnapshotStore"/>); the in-memory
/// journal keeps event objects (the SQL journal's round trip is the daemon tests' business).
/// </summary>
public abstract class AgentsTestKit : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>The journal plugin the tests write to.</summary>
    public const string JournalPath = "akka.persistence.journal.test";

    private static readonly string TestHocon = $$"""
        akka {
          loglevel = INFO
          stdout-loglevel = WARNING
          scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
          test.single-expect-default = 10s
          persistence {
            journal {
              plugin = "{{JournalPath}}"
              test {
                class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit"
                plugin-dispatcher = "akka.actor.default-dispatcher"
                # Virtual time may jump while an actor recovers: recovery must not time out on it.
                recovery-event-timeout = 1h
              }
            }
            snapshot-store {
              plugin = "akka.persistence.snapshot-store.round-trip"
              round-trip {
                class = "{{typeof(RoundTripSnapshotStore).FullName}}, {{typeof(RoundTripSnapshotStore).Assembly.GetName().Name}}"
                plugin-dispatcher = "akka.actor.default-dispatcher"
              }
            }
          }
        }
        """;

    /// <summary>Starts the system with <paramref name="extraHocon"/> layered over the test defaults.</summary>
    protected AgentsTestKit(ITestOutputHelper output, string? extraHocon = null)
        : base(BuildConfig(extraHocon), "test", output)
    {
        Clock = new SchedulerTimeProvider(Sys.Scheduler);
        // The TestScheduler starts at the wall-clock instant (100 ns precision); platforms (and their fakes) report
        // times to the millisecond. Start on a whole second, as a virtual clock would, so that "created at or after the
        // request" holds for something done at the same virtual instant as the request.
        var now = Scheduler.Now;
        Scheduler.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerSecond - (now.UtcTicks % TimeSpan.TicksPerSecond)));
    }

    /// <summary>The whole actor-system configuration of a test.</summary>
    public static Config BuildConfig(string? extraHocon = null) =>
        ConfigurationFactory.ParseString(extraHocon ?? "")
            .WithFallback(ConfigurationFactory.ParseString(TestHocon))
            .WithFallback(AgentsPersistence.Hocon(JournalPath));

    /// <summary>The actor system's virtual clock: it moves only on <see cref="TestScheduler.Advance"/>.</summary>
    public TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    /// <summary>The same clock as a <see cref="TimeProvider"/>, for the fakes and clients.</summary>
    public SchedulerTimeProvider Clock { get; }

    /// <summary>The journal actor.</summary>
    protected IActorRef JournalRef => Persistence.Instance.Apply(Sys).JournalFor(null);

    /// <summary>The snapshot store actor.</summary>
    protected IActorRef SnapshotStoreRef => Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);

    /// <summary>Fault injection into the journal: <c>OnWrite.Fail()</c>, <c>OnWrite.Reject()</c>, <c>OnRecovery.Fail()</c>, <c>.Pass()</c>.</summary>
    protected ITestJournal JournalFaults => TestJournal.FromRef(JournalRef);

    /// <summary>Waits (real time) until <paramref name="actor"/> has processed everything sent to it before this call.</summary>
    protected void Settle(IActorRef actor)
    {
        var probe = CreateTestProbe();
        try
        {
            actor.Tell(new Identify("settle"), probe.Ref);
            probe.ExpectMsg<ActorIdentity>();
        }
        finally
        {
            Sys.Stop(probe.Ref);
        }
    }

    /// <summary>
    /// Lets virtual time pass in <paramref name="step"/>s, with real time in between for HTTP calls and mailboxes, until
    /// <paramref name="condition"/> holds; fails after <paramref name="maxSteps"/> steps.
    /// </summary>
    protected void AdvanceUntil(Func<bool> condition, TimeSpan step, string what, int maxSteps = 400)
    {
        var steps = 0;
        AwaitCondition(() =>
        {
            if (condition())
            {
                return true;
            }

            Assert.True(steps++ < maxSteps, $"Gave up waiting for: {what} (after {maxSteps} steps of {step})");
            Scheduler.Advance(step);
            return false;
        }, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(15), $"Gave up waiting for: {what}");
    }

    /// <summary>Every event stored under <paramref name="persistenceId"/>, in order, as a recovering actor would read it.</summary>
    protected IReadOnlyList<object> Journal(string persistenceId) => Replay(persistenceId).Events.Select(p => p.Payload).ToArray();

    /// <summary>Replays <paramref name="persistenceId"/> from the journal: its events and highest sequence number.</summary>
    protected (IReadOnlyList<IPersistentRepresentation> Events, long Highest) Replay(string persistenceId)
    {
        var probe = CreateTestProbe();
        try
        {
            JournalRef.Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, persistenceId, probe.Ref));
            var events = new List<IPersistentRepresentation>();
            while (true)
            {
                switch (probe.ReceiveOne(TimeSpan.FromSeconds(10)))
                {
                    case ReplayedMessage replayed:
                        events.Add(replayed.Persistent);
                        break;
                    case RecoverySuccess success:
                        return (events, success.HighestSequenceNr);
                    case ReplayMessagesFailure failure:
                        throw new InvalidOperationException($"Replay of {persistenceId} failed", failure.Cause);
                    case null:
                        throw new TimeoutException($"Replay of {persistenceId} did not finish within 10 s");
                }
            }
        }
        finally
        {
            Sys.Stop(probe.Ref);
        }
    }

    /// <summary>
    /// Writes <paramref name="events"/> after the last event of <paramref name="persistenceId"/>, through the journal's
    /// write adapters (so they are tagged as the actors' own events are), as if an earlier life had persisted them.
    /// </summary>
    protected void SeedJournal(string persistenceId, params object[] events)
    {
        var next = Replay(persistenceId).Highest + 1;
        var probe = CreateTestProbe();
        try
        {
            var payload = events
                .Select((e, i) => (IPersistentRepresentation)new Persistent(e, next + i, persistenceId, string.Empty, false, ActorRefs.NoSender, "seeded-by-test"))
                .ToImmutableList();
            JournalRef.Tell(new WriteMessages(new[] { new AtomicWrite(payload) }, probe.Ref, 1));
            var outcome = probe.FishForMessage(m => m is WriteMessagesSuccessful or WriteMessagesFailed);
            if (outcome is WriteMessagesFailed failed)
            {
                throw new InvalidOperationException($"Seeding {persistenceId} failed", failed.Cause);
            }
        }
        finally
        {
            Sys.Stop(probe.Ref);
        }
    }

    /// <summary>Deletes the events of <paramref name="persistenceId"/> up to <paramref name="toSequenceNr"/>, as an operator trimming history would.</summary>
    protected void DeleteJournal(string persistenceId, long toSequenceNr)
    {
        var probe = CreateTestProbe();
        try
        {
            JournalRef.Tell(new DeleteMessagesTo(persistenceId, toSequenceNr, probe.Ref));
            var outcome = probe.FishForMessage(m => m is DeleteMessagesSuccess or DeleteMessagesFailure);
            if (outcome is DeleteMessagesFailure failed)
            {
                throw new InvalidOperationException($"Deleting {persistenceId} failed", failed.Cause);
            }
        }
        finally
        {
            Sys.Stop(probe.Ref);
        }
    }

    /// <summary>The newest snapshot of <paramref name="persistenceId"/> at or below <paramref name="maxSequenceNr"/>, or null.</summary>
    protected SelectedSnapshot? Snapshot(string persistenceId, long maxSequenceNr = long.MaxValue)
    {
        var probe = CreateTestProbe();
        try
        {
            SnapshotStoreRef.Tell(new LoadSnapshot(persistenceId, new SnapshotSelectionCriteria(maxSequenceNr), long.MaxValue), probe.Ref);
            var outcome = probe.FishForMessage(m => m is LoadSnapshotResult or LoadSnapshotFailed);
            return outcome is LoadSnapshotResult result
                ? result.Snapshot
                : throw new InvalidOperationException($"Loading a snapshot of {persistenceId} failed", ((LoadSnapshotFailed)outcome).Cause);
        }
        finally
        {
            Sys.Stop(probe.Ref);
        }
    }
}
