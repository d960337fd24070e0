using Autopilot.Actors;
using Autopilot.Actors.Event;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Runtime;

namespace Autopilot.Daemon.Cluster;

/// <summary>
/// The leader's consumer of the durable inbox: claims entries in order with its fencing token, hands each to the
/// intake or the orchestrator through the same <see cref="ActorWorkRoute"/> a single node uses, and completes it with
/// its outcome. One entry at a time, so handling keeps the inbox order. An entry it could not finish (journal or
/// database not answering) is resumed first in the next round; one whose handling finished but whose completion was
/// lost is completed again without being handled twice. A stale token stops the drainer: the lease is gone.
/// Every <c>inbox.prune-interval</c> it also deletes entries handled longer ago than <c>inbox.retention</c>, a step
/// at a time between drains, so the inbox holds recent history, not all of it.
/// </summary>
public sealed class InboxDrainer : ReceiveActor, IWithTimers
{
    /// <summary>Most entries one pruning step deletes; a full step is followed by another, behind any queued drain.</summary>
    private const int PruneStep = 1000;

    private readonly DurableInbox _inbox;
    private readonly long _token;
    private readonly IWorkRoute _local;
    private readonly DaemonClusterSettings _settings;
    private readonly CancellationToken _stopping;
    private readonly Dictionary<long, string> _handledNotCompleted = [];
    // A drainer (first start or restart after a failure) first resumes what its token already claimed.
    private bool _resume = true;
    private bool _failing;
    private long _prunedThisRound;

    private InboxDrainer(DurableInbox inbox, long token, IWorkRoute local, DaemonClusterSettings settings, CancellationToken stopping)
    {
        _inbox = inbox;
        _token = token;
        _local = local;
        _settings = settings;
        _stopping = stopping;
        ReceiveAsync<Drain>(_ => DrainAsync());
        ReceiveAsync<Prune>(_ => PruneAsync());
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The recipe.</summary>
    /// <param name="inbox">The cluster's inbox.</param>
    /// <param name="token">The fencing token of the lease the singleton runs under.</param>
    /// <param name="local">The route to this node's intake and orchestrator.</param>
    /// <param name="settings">Batch size and poll interval.</param>
    /// <param name="stopping">Cancelled when the singleton stops, so a round in progress ends at once.</param>
    public static Props Props(DurableInbox inbox, long token, IWorkRoute local, DaemonClusterSettings settings, CancellationToken stopping) =>
        Actors.Props.Create(() => new InboxDrainer(inbox, token, local, settings, stopping));

    /// <inheritdoc />
    protected override void PreStart()
    {
        Self.Tell(Drain.Instance);
        Self.Tell(Prune.Instance); // a new leader catches up on what its predecessors left
        Timers.StartPeriodicTimer(Prune.Instance, Prune.Instance, _settings.InboxPruneInterval);
    }

    private async Task DrainAsync()
    {
        var log = Context.GetLogger();
        var full = false;
        try
        {
            var entries = _resume
                ? await _inbox.GetClaimedAsync(_token, _settings.InboxBatchSize, _stopping)
                : await _inbox.ClaimAsync(_token, _settings.InboxBatchSize, _stopping);
            _resume = false;
            _failing = false;
            full = entries.Count == _settings.InboxBatchSize;
            foreach (var entry in entries)
            {
                await HandleAsync(entry, log);
            }
        }
        catch (StaleLeaseTokenException e)
        {
            log.Warning($"Inbox drainer stops: {e.Message}");
            Context.Stop(Self);
            return;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is ClusterUnavailableException or WorkUnavailableException or OrchestratorUnavailableException)
        {
            // Whatever was claimed stays claimed under our token: resume it, in order, next round.
            if (!_failing)
            {
                log.Warning($"Inbox drainer will retry: {e.Message}");
            }

            _failing = true;
            _resume = true;
            full = false;
        }

        if (full)
        {
            Self.Tell(Drain.Instance);
        }
        else
        {
            Timers.StartSingleTimer(Drain.Instance, Drain.Instance, _settings.InboxPollInterval);
        }
    }

    private async Task PruneAsync()
    {
        var log = Context.GetLogger();
        try
        {
            var deleted = await _inbox.PruneAsync(_token, _settings.InboxRetention, PruneStep, _stopping);
            _prunedThisRound += deleted;
            if (deleted == PruneStep)
            {
                Self.Tell(Prune.Instance);
                return;
            }

            if (_prunedThisRound > 0)
            {
                log.Info($"Deleted {_prunedThisRound} inbox entries handled more than {_settings.InboxRetention} ago");
            }

            _prunedThisRound = 0;
        }
        catch (StaleLeaseTokenException e)
        {
            log.Warning($"Inbox drainer stops: {e.Message}");
            Context.Stop(Self);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (ClusterUnavailableException e)
        {
            log.Warning($"Inbox pruning will retry in {_settings.InboxPruneInterval}: {e.Message}");
        }
    }

    private async Task HandleAsync(InboxEntry entry, ILoggingAdapter log)
    {
        if (!_handledNotCompleted.TryGetValue(entry.Id, out var outcome))
        {
            outcome = await OutcomeOfAsync(entry, log);
            _handledNotCompleted[entry.Id] = outcome;
        }

        await _inbox.CompleteAsync(entry.Id, _token, outcome, _stopping);
        _handledNotCompleted.Remove(entry.Id);
    }

    private async Task<string> OutcomeOfAsync(InboxEntry entry, ILoggingAdapter log)
    {
        object work;
        try
        {
            work = InboxWork.Decode(entry);
        }
        catch (InboxEntryException e)
        {
            log.Error(null, $"Inbox entry {entry.Id} skipped: {e.Message}");
            return $"rejected: {e.Message}";
        }

        switch (work)
        {
            case ReceiveDelivery delivery:
                var delivered = await _local.SubmitDeliveryAsync(delivery, _stopping);
                return delivered == DeliveryOutcome.Accepted ? "accepted" : "duplicate";
            case SecurityEventRecorded securityEvent:
                await _local.RecordSecurityEventAsync(securityEvent, _stopping);
                return "stored";
            default:
                try
                {
                    var ack = await _local.SendCommandAsync(work, _stopping);
                    return InboxWork.Outcome(new CommandOutcome(ack.Accepted, ack.Message));
                }
                catch (OrchestratorUnavailableException e) when (e.TimedOut)
                {
                    // Sending again could act twice: the outcome says the answer is unknown.
                    return InboxWork.Outcome(new CommandOutcome(false, e.Message, TimedOut: true));
                }
        }
    }

    private sealed record Drain
    {
        public static readonly Drain Instance = new();
    }

    private sealed record Prune
    {
        public static readonly Prune Instance = new();
    }
}
