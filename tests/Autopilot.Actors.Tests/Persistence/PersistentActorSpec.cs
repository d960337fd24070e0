using Autopilot.Actors;
using Autopilot.Actors.Persistence;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Query;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Persistence.Snapshots;
using Xunit;

namespace Autopilot.Actors.Tests.Persistence;

public sealed class PersistentActorSpec : TestKit.TestKit
{
    private readonly ControllableJournal _journal;

    public PersistentActorSpec()
        : base(virtualTime: true)
    {
        var serializer = new EventSerializer().Register<Deposited>().Register<LedgerSnapshot>("test.ledger-snapshot");
        _journal = new ControllableJournal(new InMemoryEventJournal(serializer));
        PersistenceExtension.Start(Sys, _journal, new InMemorySnapshotStore(serializer));
    }

    private IActorRef Ledger(string id = "ledger-1")
    {
        var ledger = ActorOf(Props.Create(() => new LedgerActor(id, TestActor)));
        ExpectMsg<string>(s => s.StartsWith("recovered", StringComparison.Ordinal));
        return ledger;
    }

    private IActorRef Restarted(IActorRef ledger, string id = "ledger-1")
    {
        Watch(ledger);
        Sys.Stop(ledger);
        ExpectTerminated(ledger);
        var again = ActorOf(Props.Create(() => new LedgerActor(id, TestActor)));
        return again;
    }

    private void WaitUntilRestartScheduled(IActorRef supervisor) => AwaitAssert(() =>
    {
        supervisor.Tell(BackoffSupervisor.GetRestartCount.Instance, TestActor);
        Assert.Equal(1, ExpectMsg<BackoffSupervisor.RestartCount>().Count);
    });

    [Fact]
    public void Persisted_events_replay_into_the_same_state()
    {
        var ledger = Ledger();
        ledger.Tell(5, TestActor);
        ExpectMsg("deposited 5");
        ledger.Tell(7, TestActor);
        ExpectMsg("deposited 7");

        var again = Restarted(ledger);
        ExpectMsg("recovered balance=12 seq=2");
        again.Tell("balance", TestActor);
        ExpectMsg("balance=12 entries=2 seq=2");
    }

    [Fact]
    public void Commands_wait_while_a_Persist_is_in_flight()
    {
        var ledger = Ledger();
        _journal.Hold();
        ledger.Tell(5, TestActor);
        ledger.Tell("balance", TestActor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // "balance" is held back, not answered with stale state
        _journal.Release();
        ExpectMsg("deposited 5");
        ExpectMsg("balance=5 entries=1 seq=1");
    }

    [Fact]
    public void A_burst_of_commands_is_handled_in_arrival_order_each_after_the_previous_write()
    {
        const int burst = 2_000;
        var ledger = Ledger();
        _journal.Hold(); // the whole burst arrives while the first write is in flight
        for (var amount = 1; amount <= burst; amount++)
        {
            ledger.Tell(amount, TestActor);
        }

        ledger.Tell("balance", TestActor);
        _journal.Release();
        for (var amount = 1; amount <= burst; amount++)
        {
            ExpectMsg($"deposited {amount}");
        }

        ExpectMsg($"balance={burst * (burst + 1) / 2} entries={burst} seq={burst}");
        Assert.Equal(burst, _journal.Writes.Count);
    }

    [Fact]
    public void A_Persist_inside_an_async_command_is_written_and_holds_back_later_commands()
    {
        var ledger = Ledger();
        _journal.Hold();
        ledger.Tell("async-deposit", TestActor);
        ledger.Tell("balance", TestActor);
        AwaitAssert(() => Assert.Equal(1, _journal.PendingWrites)); // written without waiting for another message
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // "balance" waits for the event to be durable
        _journal.Release();
        ExpectMsg("async deposited 3");
        ExpectMsg("balance=3 entries=1 seq=1");
    }

    [Fact]
    public void Commands_held_back_by_a_Persist_survive_a_restart_of_the_actor()
    {
        var ledger = Ledger();
        _journal.Hold();
        ledger.Tell("explode", TestActor);
        ledger.Tell(5, TestActor);
        ledger.Tell("balance", TestActor);
        EventFilter.Exception<InvalidOperationException>("the event handler failed").ExpectOne(() => _journal.Release());
        ExpectMsg("recovered balance=1 seq=1"); // restarted from the journal by the default strategy
        ExpectMsg("deposited 5");
        ExpectMsg("balance=6 entries=2 seq=2");
    }

    [Fact]
    public void Held_back_commands_keep_their_order_across_a_restart_in_the_middle_of_handing_them_back()
    {
        var ledger = Ledger();
        _journal.Hold();
        ledger.Tell(5, TestActor);
        ledger.Tell("async-explode", TestActor); // handed back first; fails after the next one was handed back too
        ledger.Tell(6, TestActor);
        ledger.Tell(7, TestActor);
        EventFilter.Exception<InvalidOperationException>("the async command failed").ExpectOne(() =>
        {
            _journal.Release();
            ExpectMsg("deposited 5");
        });
        ExpectMsg("recovered balance=5 seq=1");
        ExpectMsg("deposited 6");
        ExpectMsg("deposited 7");
    }

    [Fact]
    public void Commands_held_back_when_the_actor_stops_become_dead_letters()
    {
        var ledger = Ledger();
        Watch(ledger);
        _journal.Hold();
        ledger.Tell(5, TestActor);
        ledger.Tell("balance", TestActor);
        ledger.Tell("balance", TestActor);
        AwaitAssert(() => Assert.Equal(1, _journal.PendingWrites));
        EventFilter.DeadLetter<string>().Expect(2, () =>
        {
            Sys.Stop(ledger);
            ExpectTerminated(ledger);
        });
        _journal.Release();
    }

    [Fact]
    public void PersistAsync_keeps_taking_commands_and_runs_handlers_in_order_then_Defer()
    {
        var ledger = Ledger();
        _journal.Hold();
        ledger.Tell("async", TestActor);
        ledger.Tell("balance", TestActor);
        ExpectMsg("balance=0 entries=0 seq=2"); // answered while both writes are still in flight
        _journal.Release();
        ExpectMsg("async 10");
        ExpectMsg("async 20");
        ExpectMsg("deferred");
    }

    [Fact]
    public void PersistAll_is_one_atomic_write_with_a_handler_per_event()
    {
        var ledger = Ledger();
        ledger.Tell("batch", TestActor);
        ExpectMsg("batch 1");
        ExpectMsg("batch 2");
        ExpectMsg("batch 3");
        var write = Assert.Single(_journal.Writes);
        Assert.Equal([1L, 2L, 3L], write.Events.Select(e => e.SequenceNr));
    }

    [Fact]
    public void A_rejected_event_is_reported_and_the_actor_carries_on_without_a_gap()
    {
        var ledger = Ledger();
        ledger.Tell(1, TestActor);
        ExpectMsg("deposited 1");
        ledger.Tell("reject", TestActor);
        ExpectMsg("rejected Unserializable #2");
        ledger.Tell(2, TestActor);
        ExpectMsg("deposited 2");
        ledger.Tell("balance", TestActor);
        ExpectMsg("balance=3 entries=2 seq=2");

        var again = Restarted(ledger);
        ExpectMsg("recovered balance=3 seq=2");
    }

    [Fact]
    public void A_journal_failure_stops_the_actor_under_the_default_strategy()
    {
        var ledger = Ledger();
        Watch(ledger);
        _journal.FailNext(1);
        EventFilter.Exception<JournalUnavailableException>().ExpectOne(() => ledger.Tell(5, TestActor));
        ExpectTerminated(ledger);
    }

    [Fact]
    public void A_backoff_supervisor_brings_a_persistent_actor_back_after_a_journal_failure()
    {
        var reporter = TestActor;
        var supervisor = ActorOf(BackoffSupervisor.Props(new BackoffOptions(
            Props.Create(() => new LedgerActor("ledger-backoff", reporter)), "ledger",
            MinBackoff: TimeSpan.FromSeconds(3), MaxBackoff: TimeSpan.FromMinutes(1), RandomFactor: 0)));
        ExpectMsg("recovered balance=0 seq=0");
        supervisor.Tell(4, TestActor);
        ExpectMsg("deposited 4");

        _journal.FailNext(1);
        supervisor.Tell(5, TestActor);
        WaitUntilRestartScheduled(supervisor);
        ExpectNoMsg(); // nothing was deposited
        Time.Advance(TimeSpan.FromSeconds(3));
        ExpectMsg("recovered balance=4 seq=1"); // restarted with backoff, replayed only what was durable
        supervisor.Tell(6, TestActor);
        ExpectMsg("deposited 6");
    }

    [Fact]
    public void A_journal_unreachable_during_recovery_is_retried_by_the_backoff_supervisor()
    {
        _journal.FailNext(1); // the first recovery cannot read the highest sequence number
        var reporter = TestActor;
        var supervisor = ActorOf(BackoffSupervisor.Props(new BackoffOptions(
            Props.Create(() => new LedgerActor("ledger-recovery", reporter)), "ledger",
            MinBackoff: TimeSpan.FromSeconds(2), MaxBackoff: TimeSpan.FromMinutes(1), RandomFactor: 0)));
        WaitUntilRestartScheduled(supervisor);
        Time.Advance(TimeSpan.FromSeconds(2));
        ExpectMsg("recovered balance=0 seq=0");
    }

    [Fact]
    public void Recovery_starts_from_the_latest_snapshot_plus_the_events_after_it()
    {
        var ledger = Ledger();
        ledger.Tell(1, TestActor);
        ExpectMsg("deposited 1");
        ledger.Tell(2, TestActor);
        ExpectMsg("deposited 2");
        ledger.Tell("snapshot", TestActor);
        ExpectMsg("snapshot saved at 2");
        ledger.Tell(3, TestActor);
        ExpectMsg("deposited 3");

        Restarted(ledger);
        ExpectMsg("offered snapshot at 2");
        ExpectMsg("recovered balance=6 seq=3");
    }

    [Fact]
    public void Deleted_messages_are_not_replayed_but_numbering_continues()
    {
        var ledger = Ledger();
        ledger.Tell(1, TestActor);
        ExpectMsg("deposited 1");
        ledger.Tell("delete", TestActor);
        ExpectMsg("deleted to 1");
        var again = Restarted(ledger);
        ExpectMsg("recovered balance=0 seq=1");
        again.Tell(2, TestActor);
        ExpectMsg("deposited 2");
        again.Tell("balance", TestActor);
        ExpectMsg("balance=2 entries=1 seq=2");
    }

    [Fact]
    public async Task Tags_reach_the_query_side()
    {
        var ledger = Ledger();
        ledger.Tell(5, TestActor);
        ExpectMsg("deposited 5");
        ledger.Tell(500, TestActor);
        ExpectMsg("deposited 500");
        var query = new PersistenceQuery(_journal);
        var tagged = new List<EventEnvelope>();
        await foreach (var envelope in query.CurrentEventsByTag("large"))
        {
            tagged.Add(envelope);
        }

        Assert.Equal(500, ((Deposited)Assert.Single(tagged).Event).Amount);
    }

    [Fact]
    public void A_stale_fencing_token_is_rejected_not_written()
    {
        var persistence = PersistenceExtension.Get(Sys);
        persistence.FencingToken = 7;
        var ledger = Ledger("fenced");
        ledger.Tell(1, TestActor);
        ExpectMsg("deposited 1");
        persistence.FencingToken = 6; // this node lost its lease to a newer holder
        ledger.Tell(2, TestActor);
        ExpectMsg("rejected Deposited #2");
        Assert.All(_journal.Writes, w => Assert.Equal(7, w.FencingToken));
    }
}
