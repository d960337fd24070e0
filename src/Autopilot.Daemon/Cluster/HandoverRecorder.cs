using Autopilot.Actors;
using Autopilot.Actors.Persistence;
using Autopilot.Agents.Protocol;

namespace Autopilot.Daemon.Cluster;

/// <summary>
/// Journals the singleton's hand-overs (<see cref="SingletonStarted"/>, <see cref="SingletonStopped"/>) in one
/// stream, tagged <c>audit</c>, with the fencing token of the lease like every write of the singleton: a deposed
/// leader cannot record anything after its successor raised the fence.
/// </summary>
public sealed class HandoverRecorder : ReceivePersistentActor
{
    /// <summary>Persistence id of the hand-over stream.</summary>
    public const string StreamId = "cluster-singleton";

    private IActorRef? _requester;

    private HandoverRecorder()
    {
        Recover<IAuditEvent>(_ => { });
        Command<RecordHandover>(record =>
        {
            _requester = Sender;
            Persist(record.Event, _ => Sender.Tell(HandoverRecorded.Instance));
        });
    }

    /// <summary>The recipe.</summary>
    public static Props Props() => Actors.Props.Create(() => new HandoverRecorder());

    /// <inheritdoc />
    public override string PersistenceId => StreamId;

    /// <inheritdoc />
    protected override IReadOnlyList<string> TagsFor(object @event) => AuditEvents.TagsFor(@event);

    /// <summary>Refused (e.g. fenced off by a newer leader): the requester hears why at once instead of waiting out its timeout.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        _requester?.Tell(new Status.Failure(cause));
    }

    /// <summary>Not written (journal unavailable): the requester hears why before this actor fails.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistFailure(cause, @event, sequenceNr);
        _requester?.Tell(new Status.Failure(cause));
    }
}

/// <summary>Journal <paramref name="Event"/> and answer <see cref="HandoverRecorded"/>.</summary>
/// <param name="Event">A <see cref="SingletonStarted"/> or <see cref="SingletonStopped"/>.</param>
public sealed record RecordHandover(IAuditEvent Event);

/// <summary>The hand-over event is durable.</summary>
public sealed record HandoverRecorded
{
    /// <summary>The one instance.</summary>
    public static readonly HandoverRecorded Instance = new();
}
