using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Autopilot.Agents.Health;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Audit;

namespace Autopilot.Daemon.Dashboard;

/// <summary>
/// The dashboard's window onto the journal, kept in memory: the last <see cref="Retention"/> of probe records
/// (tag <see cref="HealthProbed.Tag"/>) and of audit events (tag <c>audit</c>). It reads both tags from the journal's
/// start once, then follows them live, so every dashboard call is answered from memory instead of re-reading a
/// month of records (the page must be interactive in under two seconds on 30 days of history).
/// </summary>
/// <remarks>
/// Until both tags have been read to their present end the answers say <c>CaughtUp = false</c> (the page shows that
/// it is still loading history). A follow that fails is started again after a pause from the last offset seen, so
/// nothing is counted twice. The reads are back-pressured (a batch at a time, acknowledged once kept) and records older
/// than <see cref="Retention"/> are passed over as they arrive, so reading a large journal at start neither fills the
/// mailbox nor holds more than the window in memory.
/// </remarks>
public sealed class DashboardView : ReceiveActor, IWithTimers
{
    /// <summary>How much history is kept (the longest uptime window, plus a day of margin).</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(31);

    /// <summary>How many of each target's newest probe records are kept whole (the card's response-time trend).</summary>
    public const int RecentProbes = 30;

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    // Envelopes gathered while the view is busy with the previous batch (a batch is one message and one acknowledgement).
    private const int BatchSize = 512;
    private readonly SqlReadJournal _journal;
    private readonly Dictionary<string, List<ProbeSample>> _probes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<HealthProbed>> _recent = new(StringComparer.Ordinal);
    private readonly List<AuditItem> _audit = [];
    private readonly Dictionary<string, Feed> _feeds = new(StringComparer.Ordinal);
    private IMaterializer? _materializer;

    /// <summary>Creates the view; prefer <see cref="Props"/>.</summary>
    public DashboardView(SqlReadJournal journal)
    {
        _journal = journal;
        Receive<FeedStarted>(_ => Sender.Tell(Kept.Instance));
        Receive<Batch>(batch =>
        {
            var oldest = Now - Retention;
            foreach (var envelope in batch.Envelopes)
            {
                Hold(batch.Tag, envelope, oldest);
            }

            Sender.Tell(Kept.Instance);
        });
        Receive<FeedCaughtUp>(OnCaughtUp);
        Receive<FeedFailed>(OnFailed);
        Receive<Refollow>(r => Follow(r.Tag));
        Receive<Trim>(_ => TrimOlderThan(Now - Retention));
        Receive<GetProbeSummary>(q => Sender.Tell(SummaryAt(q.Now)));
        Receive<GetAuditWindow>(q => Sender.Tell(new AuditWindow(_audit.Where(i => i.At >= q.Since).ToArray(), CaughtUp)));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the view over <paramref name="journal"/>.</summary>
    public static Props Props(SqlReadJournal journal) => Akka.Actor.Props.Create(() => new DashboardView(journal));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    private bool CaughtUp => _feeds.Values.All(f => f.Live);

    /// <inheritdoc />
    protected override void PreStart()
    {
        _materializer = Context.Materializer();
        _feeds[HealthProbed.Tag] = new Feed();
        _feeds[AuditEvents.Tag] = new Feed();
        Follow(HealthProbed.Tag);
        Follow(AuditEvents.Tag);
        Timers.StartPeriodicTimer("trim", Trim.Instance, TimeSpan.FromMinutes(10));
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        foreach (var feed in _feeds.Values)
        {
            feed.Switch?.Shutdown();
        }

        base.PostStop();
    }

    /// <summary>Reads <paramref name="tag"/> from the last offset seen: to the present end first, then live.</summary>
    private void Follow(string tag)
    {
        var feed = _feeds[tag];
        var after = Offset.Sequence(feed.Offset);
        var source = feed.Live ? _journal.EventsByTag(tag, after) : _journal.CurrentEventsByTag(tag, after);
        feed.Switch = source.RunInBatches(BatchSize, batch => new Batch(tag, batch), Self, new FeedStarted(tag), Kept.Instance, new FeedCaughtUp(tag),
            e => new FeedFailed(tag, e), _materializer!);
    }

    private void Hold(string tag, EventEnvelope envelope, DateTimeOffset oldest)
    {
        var feed = _feeds[tag];
        var offset = EnvelopeTime.OffsetOf(envelope);
        if (offset <= feed.Offset)
        {
            return; // seen before a re-follow
        }

        feed.Offset = offset;
        // Records outside every window the page shows are passed over (by the times the trim goes by).
        switch (envelope.Event)
        {
            case HealthProbed probed when probed.At >= oldest:
                if (!_probes.TryGetValue(probed.Target, out var samples))
                {
                    _probes[probed.Target] = samples = [];
                }

                samples.Add(new ProbeSample(probed.At, probed.Healthy, probed.Interval));
                if (!_recent.TryGetValue(probed.Target, out var recent))
                {
                    _recent[probed.Target] = recent = new Queue<HealthProbed>(RecentProbes + 1);
                }

                recent.Enqueue(probed);
                if (recent.Count > RecentProbes)
                {
                    recent.Dequeue();
                }

                break;
            case IAuditEvent audit when tag == AuditEvents.Tag && EnvelopeTime.Of(envelope) is var at && at >= oldest:
                _audit.Add(new AuditItem(offset, at, audit));
                break;
        }
    }

    private void OnCaughtUp(FeedCaughtUp caughtUp)
    {
        var feed = _feeds[caughtUp.Tag];
        if (!feed.Live)
        {
            feed.Live = true;
            Follow(caughtUp.Tag);
            return;
        }

        // A live query ended (it should not): follow again.
        Timers.StartSingleTimer($"refollow:{caughtUp.Tag}", new Refollow(caughtUp.Tag), RetryAfter);
    }

    private void OnFailed(FeedFailed failed)
    {
        Context.GetLogger().Warning("Dashboard view: reading tag {0} failed ({1}); reading on in {2}.", failed.Tag, failed.Cause.Message, RetryAfter);
        Timers.StartSingleTimer($"refollow:{failed.Tag}", new Refollow(failed.Tag), RetryAfter);
    }

    /// <summary>Uptime is computed here, over the kept lists, so a month of samples is read in place rather than copied per call.</summary>
    private ProbeSummary SummaryAt(DateTimeOffset now)
    {
        var uptime = new Dictionary<string, IReadOnlyDictionary<string, UptimeFigure>>(StringComparer.Ordinal);
        foreach (var (target, samples) in _probes)
        {
            uptime[target] = ProbeUptime.Windows.ToDictionary(w => w.Name, w => ProbeUptime.Over(samples, now - w.Length, now), StringComparer.Ordinal);
        }

        return new ProbeSummary(uptime, _recent.ToDictionary(r => r.Key, r => (IReadOnlyList<HealthProbed>)r.Value.ToArray(), StringComparer.Ordinal), CaughtUp);
    }

    private void TrimOlderThan(DateTimeOffset cutoff)
    {
        foreach (var samples in _probes.Values)
        {
            samples.RemoveRange(0, TimeOrder.FirstAtOrAfter(samples, s => s.At, cutoff));
        }

        _audit.RemoveRange(0, TimeOrder.FirstAtOrAfter(_audit, i => i.At, cutoff));
    }

    private sealed class Feed
    {
        public long Offset { get; set; }
        public bool Live { get; set; }
        public UniqueKillSwitch? Switch { get; set; }
    }

    private sealed record Batch(string Tag, List<EventEnvelope> Envelopes);

    private sealed record FeedStarted(string Tag);

    private sealed record Kept
    {
        public static Kept Instance { get; } = new();
    }

    private sealed record FeedCaughtUp(string Tag);

    private sealed record FeedFailed(string Tag, Exception Cause);

    private sealed record Refollow(string Tag);

    private sealed record Trim
    {
        public static Trim Instance { get; } = new();
    }
}

/// <summary>An audit event in the dashboard's window.</summary>
/// <param name="Offset">Its journal offset.</param>
/// <param name="At">When it was persisted.</param>
/// <param name="Event">The event.</param>
public sealed record AuditItem(long Offset, DateTimeOffset At, IAuditEvent Event);

/// <summary>Asks <see cref="DashboardView"/> for every target's uptime at <paramref name="Now"/>; answered with <see cref="ProbeSummary"/>.</summary>
public sealed record GetProbeSummary(DateTimeOffset Now);

/// <summary>Per probed target: uptime per window of <see cref="ProbeUptime.Windows"/>, and its newest records (oldest first).</summary>
public sealed record ProbeSummary(
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, UptimeFigure>> Uptime, IReadOnlyDictionary<string, IReadOnlyList<HealthProbed>> Recent, bool CaughtUp);

/// <summary>Asks <see cref="DashboardView"/> for audit events persisted since <paramref name="Since"/>; answered with <see cref="AuditWindow"/>.</summary>
public sealed record GetAuditWindow(DateTimeOffset Since);

/// <summary>Audit events in journal order.</summary>
public sealed record AuditWindow(IReadOnlyList<AuditItem> Items, bool CaughtUp);
