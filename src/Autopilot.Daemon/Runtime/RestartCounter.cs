using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Metrics;

namespace Autopilot.Daemon.Runtime;

/// <summary>
/// Counts restarts of the actor tree from the <see cref="IncarnationStarted"/> announcements on the event stream: every start
/// at a path after its first is a restart (an in-place restart, a worker started again by the orchestrator, or a
/// backoff supervisor's fresh child, which would otherwise start its own count at zero). Feeds
/// <c>autopilot_actor_restarts_total</c> and the restart counts of <c>/api/actors</c>. Created before the tree, so it
/// sees every first start.
/// </summary>
public sealed class RestartCounter : ReceiveActor
{
    private readonly Dictionary<string, int> _starts = new(StringComparer.Ordinal);

    /// <summary>Creates the counter.</summary>
    public RestartCounter(AutopilotMetrics metrics)
    {
        Receive<IncarnationStarted>(started =>
        {
            var starts = _starts.GetValueOrDefault(started.Path) + 1;
            _starts[started.Path] = starts;
            metrics.RecordStart(started.Path, restart: starts > 1);
        });
        Receive<GetRestartCounts>(_ => Sender.Tell(new RestartCounts(
            _starts.Where(s => s.Value > 1).ToDictionary(s => s.Key, s => s.Value - 1, StringComparer.Ordinal))));
    }

    /// <summary>
    /// Starts the counter in <paramref name="system"/> and subscribes it at once (not from its own <c>PreStart</c>, which
    /// runs later), so the first start of every actor created after this call is seen.
    /// </summary>
    public static IActorRef Start(ActorSystem system, AutopilotMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(system);
        var counter = system.ActorOf(Akka.Actor.Props.Create(() => new RestartCounter(metrics)), "restarts");
        system.EventStream.Subscribe(counter, typeof(IncarnationStarted));
        return counter;
    }

    /// <inheritdoc />
    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}

/// <summary>Asks <see cref="RestartCounter"/> for <see cref="RestartCounts"/>.</summary>
public sealed record GetRestartCounts
{
    /// <summary>The instance.</summary>
    public static readonly GetRestartCounts Instance = new();
}

/// <summary>Restarts so far by actor path (without address); actors never restarted are absent.</summary>
/// <param name="ByPath">Restarts by path.</param>
public sealed record RestartCounts(IReadOnlyDictionary<string, int> ByPath);
