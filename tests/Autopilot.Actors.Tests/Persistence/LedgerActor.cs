using Autopilot.Actors;
using Autopilot.Actors.Persistence;
using Autopilot.Actors.Persistence.Serialization;

namespace Autopilot.Actors.Tests.Persistence;

[EventManifest("test.deposited")]
public sealed record Deposited(int Amount);

/// <summary>Deliberately not registered with the serializer: persisting it is a rejection.</summary>
public sealed record Unserializable(int Amount);

public sealed record LedgerSnapshot(int Balance, int Entries);

/// <summary>A small event-sourced ledger that reports what it does to a probe.</summary>
public sealed class LedgerActor : ReceivePersistentActor
{
    private readonly string _id;
    private readonly IActorRef _reporter;
    private int _balance;
    private int _entries;

    public LedgerActor(string id, IActorRef reporter)
    {
        _id = id;
        _reporter = reporter;
        Recover<Deposited>(d => Apply(d));
        Recover<SnapshotOffer>(o =>
        {
            var snapshot = (LedgerSnapshot)o.Snapshot;
            (_balance, _entries) = (snapshot.Balance, snapshot.Entries);
            _reporter.Tell($"offered snapshot at {o.Metadata.SequenceNr}");
        });
        Recover<RecoveryCompleted>(_ => _reporter.Tell($"recovered balance={_balance} seq={LastSequenceNr}"));

        Command<int>(amount => Persist(new Deposited(amount), d =>
        {
            Apply(d);
            Sender.Tell($"deposited {d.Amount}");
        }));
        Command<string>(_ => Sender.Tell($"balance={_balance} entries={_entries} seq={LastSequenceNr}"), s => s == "balance");
        Command<string>(_ => PersistAll([new Deposited(1), new Deposited(2), new Deposited(3)], d =>
        {
            Apply(d);
            Sender.Tell($"batch {d.Amount}");
        }), s => s == "batch");
        Command<string>(_ =>
        {
            PersistAsync(new Deposited(10), d => { Apply(d); Sender.Tell("async 10"); });
            PersistAsync(new Deposited(20), d => { Apply(d); Sender.Tell("async 20"); });
            Defer("deferred", s => Sender.Tell(s));
        }, s => s == "async");
        Command<string>(_ => Persist(new Unserializable(5), _ => Sender.Tell("should not happen")), s => s == "reject");
        CommandAsync<string>(async _ =>
        {
            await Task.Yield(); // the Persist below runs in a continuation, not in the command's first step
            Persist(new Deposited(3), d =>
            {
                Apply(d);
                Sender.Tell($"async deposited {d.Amount}");
            });
        }, s => s == "async-deposit");
        CommandAsync<string>(async _ =>
        {
            await Task.Yield();
            throw new InvalidOperationException("the async command failed");
        }, s => s == "async-explode");
        Command<string>(_ => Persist(new Deposited(1), d =>
        {
            Apply(d);
            throw new InvalidOperationException("the event handler failed");
        }), s => s == "explode");
        Command<string>(_ => SaveSnapshot(new LedgerSnapshot(_balance, _entries)), s => s == "snapshot");
        Command<string>(_ => DeleteMessages(LastSequenceNr), s => s == "delete");
        Command<SaveSnapshotSuccess>(s => _reporter.Tell($"snapshot saved at {s.Metadata.SequenceNr}"));
        Command<DeleteMessagesSuccess>(d => _reporter.Tell($"deleted to {d.ToSequenceNr}"));
    }

    public override string PersistenceId => _id;

    protected override IReadOnlyList<string> TagsFor(object @event) => @event is Deposited { Amount: >= 100 } ? ["large"] : [];

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        _reporter.Tell($"rejected {@event.GetType().Name} #{sequenceNr}");
    }

    private void Apply(Deposited deposited)
    {
        _balance += deposited.Amount;
        _entries++;
    }
}
