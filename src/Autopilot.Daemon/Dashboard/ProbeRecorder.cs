using Akka.Actor;
using Akka.Pattern;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Autopilot.Agents.Health;

namespace Autopilot.Daemon.Dashboard;

/// <summary>
/// Journals every <see cref="HealthProbed"/> this node's health worker publishes, tagged <see cref="HealthProbed.Tag"/>
/// (not <c>audit</c>), so uptime survives restarts and any node can compute it. One stream per node
/// (<see cref="StreamIdOf"/>): the health worker runs wherever the orchestrator runs, so after a hand-over a different
/// node records, and no two nodes ever write one stream.
/// </summary>
/// <remarks>
/// It keeps no state, so it does not replay its stream at start (<see cref="Recovery.None"/>: only the highest sequence
/// number is read): a month of probes would otherwise be read just to be thrown away. A record that fails to persist
/// is lost (the actor stops and its backoff supervisor starts it again): a probe is an observation, and the gap it
/// leaves counts neither way in uptime.
/// </remarks>
public sealed class ProbeRecorder : ReceivePersistentActor
{
    private static readonly string[] Tags = [HealthProbed.Tag];

    /// <summary>Creates the recorder; prefer <see cref="Start"/>.</summary>
    public ProbeRecorder(string persistenceId)
    {
        PersistenceId = persistenceId;
        Command<HealthProbed>(probed => Persist(new Tagged(probed, Tags), _ => { }));
    }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    /// <inheritdoc />
    public override Recovery Recovery => Recovery.None;

    /// <summary>The stream of a single node.</summary>
    public const string StreamId = "health-probes";

    /// <summary>The stream of a cluster node (like the webhook intake's).</summary>
    public static string StreamIdOf(string hostPort) => $"{StreamId}@{hostPort}";

    /// <summary>
    /// Starts the recorder of stream <paramref name="persistenceId"/> and subscribes it to <see cref="HealthProbed"/> at
    /// once (not in its PreStart, which runs later on its own thread): a probe published while it is still starting
    /// waits in its mailbox instead of being missed.
    /// </summary>
    public static IActorRef Start(ActorSystem system, string persistenceId)
    {
        ArgumentNullException.ThrowIfNull(system);
        // Under a backoff supervisor (a failed write stops a persistent actor); the supervisor, subscribed here,
        // forwards each record to whichever recorder is alive.
        var recorder = system.ActorOf(BackoffSupervisor.Props(Backoff.OnStop(Akka.Actor.Props.Create(() => new ProbeRecorder(persistenceId)), "recorder",
            TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1)), "probe-recorder");
        system.EventStream.Subscribe(recorder, typeof(HealthProbed));
        return recorder;
    }
}
