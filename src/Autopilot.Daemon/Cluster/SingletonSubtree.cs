using Autopilot.Actors;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Runtime;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Cluster;

/// <summary>
/// The actors of one leadership, all running under one lease: the hand-over recorder, the orchestrator tree (its
/// platform clients guarded by the lease), the webhook intake and the inbox drainer, plus the resources its clients
/// hold. Started by <see cref="SingletonHost"/> after the journal's fence was raised to the lease's token.
/// </summary>
internal sealed class SingletonSubtree
{
    private readonly ActorSystem _system;
    private readonly SingletonParts _parts;
    private readonly List<IDisposable> _owned = [];
    private readonly CancellationTokenSource _stopping = new();
    private IActorRef? _recorder;
    private IActorRef? _drainer;
    private IActorRef? _orchestrator;
    private IActorRef? _intake;
    private volatile bool _running;

    private SingletonSubtree(ActorSystem system, SingletonParts parts, HeldLease lease)
    {
        _system = system;
        _parts = parts;
        Lease = lease;
    }

    /// <summary>The lease this leadership runs under.</summary>
    public HeldLease Lease { get; }

    /// <summary>The orchestrator of this leadership, or null once stopping.</summary>
    public IActorRef? Orchestrator => _running ? _orchestrator : null;

    /// <summary>The webhook intake of this leadership, or null once stopping.</summary>
    public IActorRef? Intake => _running ? _intake : null;

    /// <summary>
    /// Records <see cref="SingletonStarted"/>, then starts the orchestrator, the intake and the drainer. A failed
    /// record is logged, not fatal: the journal refuses the orchestrator's writes too if the lease is already gone.
    /// </summary>
    public static async Task<SingletonSubtree> StartAsync(ActorSystem system, SingletonParts parts, HeldLease lease, TimeSpan stopBudget)
    {
        var subtree = new SingletonSubtree(system, parts, lease);
        try
        {
            subtree._recorder = system.ActorOf(HandoverRecorder.Props(), "singleton-handover");
            await subtree.RecordAsync(new SingletonStarted(parts.NodeId, lease.Token, parts.Context.Time.GetUtcNow())).ConfigureAwait(false);
            var orchestrator = subtree._orchestrator = parts.Factory(system, parts.Context with { Owned = subtree._owned, Lease = lease });
            var intake = subtree._intake = system.ActorOf(WebhookIntake.Supervised(orchestrator, parts.Context.Time, parts.Context.Metrics), "intake");
            var local = new ActorWorkRoute(() => intake, () => orchestrator, parts.Context.Settings.AskTimeout);
            subtree._drainer = system.ActorOf(InboxDrainer.Props(parts.Inbox, lease.Token, local, parts.Cluster, subtree._stopping.Token), "inbox-drainer");
        }
        catch
        {
            // Whatever did start must not outlive the failed start (nor keep its actor names from the next one).
            await subtree.StopAsync("start failed", graceful: false, stopBudget).ConfigureAwait(false);
            throw;
        }

        subtree._running = true;
        return subtree;
    }

    /// <summary>
    /// Stops the leadership. Gracefully (the lease is still held: leaving, shutting down): the drainer finishes its
    /// entry, the intake and orchestrator their queued messages, and <see cref="SingletonStopped"/> is recorded. At once
    /// (the lease is lost): every actor stops after its current message and nothing more is written.
    /// </summary>
    public async Task StopAsync(string reason, bool graceful, TimeSpan budget)
    {
        _running = false;
        if (!graceful)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        // Once the actor system is gone, so are the actors (and nothing more can be journaled).
        var actors = _system.WhenTerminated.IsCompleted ? [] : new[] { _drainer, _intake, _orchestrator };
        graceful &= !_system.WhenTerminated.IsCompleted;
        foreach (var actor in actors.OfType<IActorRef>())
        {
            if (!await ActorStopper.StopAsync(_system, actor, budget, immediately: !graceful).ConfigureAwait(false))
            {
                _parts.Log.LogWarning("{Actor} did not stop within {Budget}", actor.Path, budget);
            }
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (graceful)
        {
            await RecordAsync(new SingletonStopped(_parts.NodeId, Lease.Token, reason, _parts.Context.Time.GetUtcNow())).ConfigureAwait(false);
        }

        if (_recorder is not null && !_system.WhenTerminated.IsCompleted)
        {
            await ActorStopper.StopAsync(_system, _recorder, budget, immediately: !graceful).ConfigureAwait(false);
        }

        foreach (var resource in _owned)
        {
            resource.Dispose();
        }

        _owned.Clear();
        _stopping.Dispose();
    }

    private async Task RecordAsync(IAuditEvent handover)
    {
        try
        {
            await _recorder!.Ask<HandoverRecorded>(new RecordHandover(handover), _parts.Context.Settings.AskTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _parts.Log.LogWarning("Could not journal {Event} (token {Fence}): the journal did not confirm it in time", handover.GetType().Name, Lease.Token);
        }
        catch (Exception e) when (e is JournalRejectedException or JournalUnavailableException)
        {
            _parts.Log.LogWarning("Could not journal {Event} (token {Fence}): {Reason}", handover.GetType().Name, Lease.Token, e.Message);
        }
    }
}
