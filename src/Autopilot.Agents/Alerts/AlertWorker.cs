using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Autopilot.Agents.Dedupe;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.Protocol;
using Autopilot.Platforms.Http;

namespace Autopilot.Agents.Alerts;

/// <summary>
/// Tells humans (worker <c>alerts</c>). INFO is recorded in the journal only, WARNING goes to Telegram, CRITICAL to
/// Telegram and a GitHub incident issue. It is an outbox: an alert is persisted as accepted before anything is sent,
/// each channel's delivery is persisted, and failed deliveries are retried with exponential backoff on the system's
/// clock — after a restart, undelivered alerts are sent again. When a channel keeps failing the worker gives up on it
/// and records <see cref="AlertDeliveryAbandoned"/>; an alert is never silently dropped. Storms of one fingerprint are
/// folded: the first alert goes out, the rest of the window is counted into one summary "(×N in the last 5 min)".
/// Each send to a channel passes the node's <see cref="IActionFence"/> right before it: when this node no longer holds
/// the orchestrator's lease nothing is sent, nothing is retried or given up, and the delivery stays owed in the outbox
/// for the leader that recovers it.
/// <para>
/// Approvals go through the same worker (<see cref="NotifyApproval"/>, <see cref="AnswerApproval"/>) to an
/// <see cref="IApprovalChannel"/> (Telegram buttons): they are the orchestrator's recorded actions, fenced like every
/// send, answered with one <see cref="WorkerResult"/> each and not retried here (the orchestrator records the outcome;
/// after a crash it sends an unanswered one again).
/// </para>
/// </summary>
public sealed class AlertWorker : ReceivePersistentActor, IWithTimers
{
    private const string FlushTimer = "storm-flush";

    /// <summary>How many accepted alert ids are remembered to answer a re-sent request (far more than a recovery re-sends).</summary>
    private const int RememberedAlertIds = 10_000;
    private readonly AlertSettings _settings;
    private readonly IReadOnlyDictionary<string, IAlertChannel> _channels;
    private readonly StormControl _storms;
    private readonly IActionFence _fence;
    private readonly IApprovalChannel? _approvals;
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AlertAccepted> _lastFolded = new(StringComparer.Ordinal);
    private readonly RecentKeys _acceptedIds = new(RememberedAlertIds);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Creates the worker; prefer <see cref="Props"/>.</summary>
    public AlertWorker(AlertSettings settings, IReadOnlyList<IAlertChannel> channels, IActionFence? fence = null, IApprovalChannel? approvals = null)
    {
        _approvals = approvals;
        _settings = settings;
        _fence = fence ?? ActionFence.Unfenced;
        _channels = channels.ToDictionary(c => c.Name, StringComparer.Ordinal);
        _storms = new StormControl(settings.StormWindow);

        Recover<AlertAccepted>(Apply);
        Recover<AlertChannelDelivered>(d => Resolve(d.AlertId, d.Channel, delivered: true));
        Recover<AlertDeliveryAbandoned>(a => Resolve(a.AlertId, a.Channel, delivered: false));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<RaiseAlert>(Accept);
        Command<DeliveryFinished>(OnDeliveryFinished);
        Command<RetryDelivery>(r => Deliver(r.AlertId, r.Channel, r.Attempt));
        Command<FlushStorms>(_ => Flush());
        Command<NotifyApproval>(notify => RunApproval(notify.ActionId, $"approval {notify.ApprovalId} to Telegram",
            async (channel, ct) => $"{ActionParameters.SentAsPrefix}{await channel.SendAsync(notify.ApprovalId, notify.Text, ct).ConfigureAwait(false)}"));
        Command<AnswerApproval>(answer => RunApproval(answer.ActionId, "approval answer to Telegram", async (channel, ct) =>
        {
            var done = new List<string>();
            if (answer.CallbackQueryId is { } query)
            {
                await channel.AnswerAsync(query, answer.CallbackText ?? "", ct).ConfigureAwait(false);
                done.Add("press answered");
            }

            if (answer is { MessageRef: { } message, Text: { } text })
            {
                await channel.EditAsync(message, text, ct).ConfigureAwait(false);
                done.Add($"message {message} edited");
            }

            return done.Count == 0 ? "nothing to answer" : string.Join(", ", done);
        }));
        Command<ApprovalCallFinished>(finished => finished.ReplyTo.Tell(finished.Result));
    }

    /// <inheritdoc />
    public override string PersistenceId => _settings.PersistenceId;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// Props for the worker. <paramref name="channels"/> are the configured channels by <see cref="IAlertChannel.Name"/>
    /// (<c>telegram</c>, <c>github</c>); a severity's channel that is not configured is skipped with a warning, so
    /// the alert is still recorded. Register <see cref="AlertEvents"/> with the journal's serializer. <paramref name="fence"/>
    /// is the node's lease (null: a single node, nothing fenced).
    /// </summary>
    /// <param name="settings">The worker's settings.</param>
    /// <param name="channels">The alert channels.</param>
    /// <param name="fence">The node's lease (null: unfenced).</param>
    /// <param name="approvals">Where approvals are sent (null: none; such requests fail and are recorded as failed).</param>
    public static Props Props(AlertSettings settings, IReadOnlyList<IAlertChannel> channels, IActionFence? fence = null, IApprovalChannel? approvals = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count() != channels.Count)
        {
            throw new ArgumentException("Two alert channels have the same name.", nameof(channels));
        }

        var actions = fence ?? ActionFence.Unfenced;
        return Akka.Actor.Props.Create(() => new AlertWorker(settings, channels, actions, approvals));
    }

    private sealed record DeliveryFinished(string AlertId, string Channel, int Attempt, string? Error, TimeSpan? RetryAfter);

    private sealed record RetryDelivery(string AlertId, string Channel, int Attempt);

    private sealed record FlushStorms;

    private sealed record ApprovalCallFinished(IActorRef ReplyTo, WorkerResult Result);

    /// <summary>One fenced call to the approval channel, answered with one <see cref="WorkerResult"/>.</summary>
    private void RunApproval(string actionId, string call, Func<IApprovalChannel, CancellationToken, Task<string>> run)
    {
        var replyTo = Sender;
        if (_approvals is null)
        {
            replyTo.Tell(new WorkerResult(actionId, false, Error: "no approval channel configured (Telegram bot token and alerts chat)"));
            return;
        }

        if (_fence.Refusal(Context.GetLogger(), call) is { } refused)
        {
            replyTo.Tell(new WorkerResult(actionId, false, Error: refused));
            return;
        }

        var self = Self;
        run(_approvals, _stopping.Token).ContinueWith(
            done => self.Tell(new ApprovalCallFinished(replyTo, done.IsCompletedSuccessfully
                ? new WorkerResult(actionId, true, done.Result)
                : new WorkerResult(actionId, false, Error: done.Exception?.GetBaseException().Message ?? "cancelled"))),
            TaskScheduler.Default);
    }

    /// <summary>An accepted alert still owed to some channels.</summary>
    private sealed class Pending(AlertAccepted alert)
    {
        public AlertAccepted Alert { get; } = alert;
        public HashSet<string> Remaining { get; } = new(alert.Channels, StringComparer.Ordinal);
        public List<string> Delivered { get; } = [];
    }

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    /// <inheritdoc />
    protected override void PreStart()
    {
        IncarnationStarted.Announce(Context);
        base.PreStart();
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private void OnRecovered()
    {
        foreach (var pending in _pending.Values)
        {
            foreach (var channel in pending.Remaining)
            {
                Deliver(pending.Alert.AlertId, channel, 1);
            }
        }

        Flush();
    }

    private void Accept(RaiseAlert alert)
    {
        // The orchestrator's action id is the alert's id: a request sent again after a crash is answered, not re-sent.
        if (alert.ActionId is { } actionId && _acceptedIds.Contains(actionId))
        {
            Sender.Tell(new WorkerResult(actionId, true, $"alert {actionId} was already accepted"));
            return;
        }

        Flush();
        var folded = _storms.ShouldFold(alert.Fingerprint, Now);
        var replyTo = alert.ActionId is null ? null : Sender;
        Store(new AlertAccepted(alert.ActionId ?? NewId(), alert.Severity, alert.Title, alert.Body, alert.Fingerprint, alert.Service,
            folded ? [] : ChannelsFor(alert.Severity), folded, Now), replyTo);
    }

    private void Store(AlertAccepted accepted, IActorRef? replyTo = null) =>
        Persist(accepted, persisted =>
        {
            Apply(persisted);
            replyTo?.Tell(new WorkerResult(persisted.AlertId, true, persisted.Folded
                ? $"alert folded into the storm of {persisted.Fingerprint}"
                : $"alert accepted for {(persisted.Channels.Count == 0 ? "the journal" : string.Join(", ", persisted.Channels))}"));
            if (!persisted.Folded && persisted.Channels.Count == 0)
            {
                Persist(new AlertSent(persisted.Severity, persisted.Title, persisted.Fingerprint, [AlertChannelNames.Journal], persisted.Service, Now), _ => { });
            }

            foreach (var channel in persisted.Channels)
            {
                Deliver(persisted.AlertId, channel, 1);
            }

            ScheduleFlush();
        });

    private void Apply(AlertAccepted accepted)
    {
        _acceptedIds.Add(accepted.AlertId);
        _storms.Record(accepted.Fingerprint, accepted.At, accepted.Folded);
        if (accepted.Folded)
        {
            _lastFolded[accepted.Fingerprint] = accepted;
        }
        else if (accepted.Channels.Count > 0)
        {
            _pending[accepted.AlertId] = new Pending(accepted);
        }
    }

    private IReadOnlyList<string> ChannelsFor(AlertSeverity severity)
    {
        string[] wanted = severity switch
        {
            AlertSeverity.Critical => [AlertChannelNames.Telegram, AlertChannelNames.GitHub],
            AlertSeverity.Warning => [AlertChannelNames.Telegram],
            _ => [],
        };
        var missing = wanted.Where(c => !_channels.ContainsKey(c)).ToArray();
        if (missing.Length > 0)
        {
            Context.GetLogger().Warning($"No {string.Join(", ", missing)} alert channel configured: a {severity} alert is recorded without it.");
        }

        return wanted.Where(_channels.ContainsKey).ToArray();
    }

    private void Deliver(string alertId, string channel, int attempt)
    {
        if (!_pending.TryGetValue(alertId, out var pending) || !pending.Remaining.Contains(channel))
        {
            return;
        }

        // The worker's one fence check. Refused: this node is being replaced; the alert stays owed in the journal, and the
        // alerts worker of the leader that recovers this outbox sends it (counting it as a failed attempt here would
        // end in a give-up on the record for a delivery that was never tried).
        if (_fence.Refusal(Context.GetLogger(), $"alert {alertId} to {channel}") is not null)
        {
            return;
        }

        var self = Self;
        _channels[channel].DeliverAsync(pending.Alert.ToMessage(), _stopping.Token).ContinueWith(
            done => self.Tell(done.IsCompletedSuccessfully
                ? new DeliveryFinished(alertId, channel, attempt, null, null)
                : new DeliveryFinished(alertId, channel, attempt,
                    done.Exception?.GetBaseException().Message ?? "cancelled",
                    (done.Exception?.GetBaseException() as PlatformException)?.RetryAfter)),
            TaskScheduler.Default);
    }

    private void OnDeliveryFinished(DeliveryFinished finished)
    {
        if (!_pending.TryGetValue(finished.AlertId, out var pending))
        {
            return;
        }

        if (finished.Error is null)
        {
            Persist(new AlertChannelDelivered(finished.AlertId, finished.Channel, finished.Attempt, Now),
                d => AfterResolve(d.AlertId, Resolve(d.AlertId, d.Channel, delivered: true)));
            return;
        }

        if (finished.Attempt < _settings.MaxAttempts)
        {
            var delay = _settings.RetryDelay(finished.Attempt + 1, finished.RetryAfter);
            Context.GetLogger().Warning($"Alert {finished.AlertId} not delivered to {finished.Channel} (attempt {finished.Attempt}): {finished.Error}; retrying in {delay}.");
            Timers.StartSingleTimer($"retry:{finished.AlertId}:{finished.Channel}", new RetryDelivery(finished.AlertId, finished.Channel, finished.Attempt + 1), delay);
            return;
        }

        var alert = pending.Alert;
        Context.GetLogger().Error($"Giving up on alert {alert.AlertId} \"{alert.Title}\" for {finished.Channel} after {finished.Attempt} attempts: {finished.Error}");
        Persist(new AlertDeliveryAbandoned(alert.AlertId, alert.Severity, alert.Title, alert.Fingerprint, finished.Channel, finished.Attempt, finished.Error, Now),
            a => AfterResolve(a.AlertId, Resolve(a.AlertId, a.Channel, delivered: false)));
    }

    /// <summary>Marks a channel of an alert done; returns the alert when that was its last channel.</summary>
    private Pending? Resolve(string alertId, string channel, bool delivered)
    {
        if (!_pending.TryGetValue(alertId, out var pending) || !pending.Remaining.Remove(channel))
        {
            return null;
        }

        if (delivered)
        {
            pending.Delivered.Add(channel);
        }

        if (pending.Remaining.Count > 0)
        {
            return null;
        }

        _pending.Remove(alertId);
        return pending;
    }

    private void AfterResolve(string alertId, Pending? done)
    {
        if (done is { Delivered.Count: > 0 })
        {
            var alert = done.Alert;
            Persist(new AlertSent(alert.Severity, alert.Title, alert.Fingerprint, done.Delivered.ToArray(), alert.Service, Now), _ => { });
        }
    }

    private void Flush()
    {
        foreach (var storm in _storms.CloseExpired(Now))
        {
            var latest = _lastFolded[storm.Fingerprint];
            _lastFolded.Remove(storm.Fingerprint);
            Store(new AlertAccepted(NewId(), latest.Severity, $"{latest.Title} {_storms.Suffix(storm.Occurrences)}", latest.Body, latest.Fingerprint, latest.Service,
                ChannelsFor(latest.Severity), false, Now));
        }

        ScheduleFlush();
    }

    private void ScheduleFlush()
    {
        if (_storms.NextExpiry is { } next)
        {
            var delay = next - Now;
            Timers.StartSingleTimer(FlushTimer, new FlushStorms(), delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        }
        else
        {
            Timers.Cancel(FlushTimer);
        }
    }

    private static string NewId() => $"alert-{Guid.NewGuid():N}"[..18];
}
