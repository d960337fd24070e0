using System.Net;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.TestKit;
using Akka.TestKit;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Daemon.Cluster;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Metrics;
using Autopilot.Daemon.Persistence;
using Autopilot.Daemon.SelfWatch;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using AkkaPersistence = Akka.Persistence.Persistence;

namespace Autopilot.Daemon.Tests.SelfWatch;

/// <summary>
/// Each self-watch condition provoked through the measurement it judges (a journal refusing writes, a journal database
/// that cannot be opened, a lease not held, a stuffed mailbox, a platform answering 500s, thresholds below what the
/// process and its disk really use): exactly one alert while it holds, however many evaluations pass, and exactly one
/// resolution when it clears. Virtual time (Akka's TestScheduler) drives the evaluations and the "for" durations.
/// </summary>
public sealed class SelfWatcherTests : Akka.TestKit.Xunit2.TestKit
{
    private const string Node = "node-1";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly AutopilotMetrics _metrics = new();
    private readonly SelfWatchStatus _status = new();
    private readonly TestProbe _alerts;
    private IActorRef? _watcher;

    public SelfWatcherTests(ITestOutputHelper output)
        : base(VirtualTimeJournal.Config, "self-watch-test", output)
    {
        _alerts = CreateTestProbe();
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    [Fact]
    public async Task Journal_writes_refused_raise_one_critical_alert_and_writes_going_through_again_resolve_it()
    {
        var intake = Sys.ActorOf(WebhookIntake.Props(new IntakeSettings(TimeSpan.FromDays(7), 1000, TimeSpan.FromSeconds(10), 8, 50, 100), _metrics));
        Watch(SelfWatchChecks.Journal(new ConditionWatch(TimeSpan.Zero), new JournalHealth(), () => _metrics.FailedJournalWrites));
        var journal = TestJournal.FromRef(AkkaPersistence.Instance.Apply(Sys).JournalFor(null));

        await journal.OnWrite.Reject();
        intake.Tell(Delivery("d-1"));
        ExpectMsg<DeliveryNotStored>();
        Tick();
        intake.Tell(Delivery("d-2"));
        ExpectMsg<DeliveryNotStored>();
        Tick();

        var raised = Assert.Single(Drain());
        Assert.Equal(AlertSeverity.Critical, raised.Severity);
        Assert.Equal($"self-watch:{Node}:journal", raised.Fingerprint);
        Assert.Contains("journal write(s) failed or were rejected", raised.Body);
        Assert.Equal("journal", Assert.Single(_status.Active).Name);

        await journal.OnWrite.Pass();
        intake.Tell(Delivery("d-3"));
        ExpectMsg<DeliveryAccepted>();
        Tick();
        Tick();

        AssertResolvedOnce("journal");
    }

    [Fact]
    public async Task A_journal_database_that_cannot_be_opened_raises_one_alert_and_its_return_resolves_it()
    {
        var root = Path.Combine(Path.GetTempPath(), "autopilot-self-watch-tests", Guid.NewGuid().ToString("N"));
        var directory = Path.Combine(root, "data");
        try
        {
            await using var database = new JournalDatabase(new JournalSelection(JournalSelection.Sqlite, $"Data Source={Path.Combine(directory, "journal.db")}",
                SqliteSynchronous.Normal));
            var health = new JournalHealth();
            var probe = new JournalHealthProbe(database, health, TimeProvider.System, NullLogger<JournalHealthProbe>.Instance);
            Watch(SelfWatchChecks.Journal(new ConditionWatch(TimeSpan.Zero), health, () => 0));

            // The directory of the database file does not exist: SQLite cannot open it.
            for (var i = 0; i < 3; i++)
            {
                await probe.ProbeOnceAsync(CancellationToken.None);
                Tick();
            }

            var raised = Assert.Single(Drain());
            Assert.Contains("does not answer", raised.Body);

            Directory.CreateDirectory(directory);
            await probe.ProbeOnceAsync(CancellationToken.None);
            Assert.Equal(JournalHealth.Healthy, health.Current.Status);
            Tick();
            Tick();

            AssertResolvedOnce("journal");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public void A_lease_not_held_by_the_oldest_member_is_alerted_only_after_its_threshold_and_resolved_once_held()
    {
        var place = new ClusterPlace("leader", "akka.tcp://autopilotd@127.0.0.1:4053", true);
        var held = false;
        Watch(SelfWatchChecks.Lease(new ConditionWatch(TimeSpan.FromSeconds(30)), () => place, _ => held, _metrics));

        Tick();
        Tick();
        Tick();
        Assert.Empty(Drain());
        Assert.Empty(_status.Active);

        Tick();
        Tick();
        var raised = Assert.Single(Drain());
        Assert.Equal(AlertSeverity.Critical, raised.Severity);
        Assert.Contains("does not hold the lease of orchestrator", raised.Body);

        held = true;
        Tick();
        Tick();
        AssertResolvedOnce("lease");

        // A cluster with no Up member at all is the same condition.
        place = new ClusterPlace("joining", null, false);
        for (var i = 0; i < 6; i++)
        {
            Tick();
        }

        Assert.Contains("no Up member runs the singletons", Assert.Single(Drain()).Body);
    }

    [Fact]
    public void A_stuffed_queue_is_alerted_once_it_stayed_deep_for_its_duration_and_resolved_once_drained()
    {
        using var gate = new ManualResetEventSlim();
        var queue = Sys.ActorOf(Props.Create(() => new BlockedConsumer(gate)), "stuffed");
        queue.Tell("block");
        for (var i = 0; i < 50; i++)
        {
            queue.Tell(i);
        }

        Watch(SelfWatchChecks.QueueDepth(new QueueWatch("intake", 10, TimeSpan.FromSeconds(20)), () => MailboxDepth.Of(queue)));

        Tick();
        Tick();
        Assert.Empty(Drain());
        Tick();
        Tick();
        var raised = Assert.Single(Drain());
        Assert.Equal($"self-watch:{Node}:queue:intake", raised.Fingerprint);
        Assert.Contains("threshold 10", raised.Body);

        gate.Set();
        AwaitCondition(() => MailboxDepth.Of(queue) == 0, TimeSpan.FromSeconds(30));
        Tick();
        Tick();
        AssertResolvedOnce("queue:intake");
    }

    [Fact]
    public async Task A_platform_answering_500s_raises_one_alert_and_it_resolves_when_the_failures_leave_the_window()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var config = DaemonConfiguration.Load(null, null, _ => null);
        var settings = SelfWatchSettings.FromConfig(config);
        var measurements = new SelfWatchMeasurements(settings, DaemonSettings.FromConfig(config, Path.GetTempPath()), _metrics, new JournalHealth(), time);
        var platform = new StubPlatform { Status = HttpStatusCode.InternalServerError };
        using var client = new HttpClient(new MeasuredPlatformHandler("railway", _metrics, platform)) { BaseAddress = new Uri("http://railway.invalid") };
        Watch(SelfWatchChecks.PlatformErrors(settings.PlatformErrors, measurements.PlatformCalls));

        for (var i = 0; i < settings.PlatformErrors.MinCalls + 5; i++)
        {
            (await client.GetAsync("/graphql")).Dispose();
        }

        Tick();
        platform.Status = HttpStatusCode.OK;
        for (var i = 0; i < 20; i++)
        {
            (await client.GetAsync("/graphql")).Dispose();
        }

        Tick();
        var raised = Assert.Single(Drain());
        Assert.Equal(AlertSeverity.Warning, raised.Severity);
        Assert.Contains("25 of 25 platform API calls failed", raised.Body);

        time.Advance(settings.PlatformErrors.Window + TimeSpan.FromMinutes(1));
        Tick();
        Tick();
        AssertResolvedOnce("platform-errors");
    }

    [Fact]
    public void Alert_deliveries_given_up_raise_one_alert_and_it_resolves_when_they_leave_the_window()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var config = DaemonConfiguration.Load(null, null, _ => null);
        var settings = SelfWatchSettings.FromConfig(config);
        var measurements = new SelfWatchMeasurements(settings, DaemonSettings.FromConfig(config, Path.GetTempPath()), _metrics, new JournalHealth(), time);
        Watch(SelfWatchChecks.AlertDelivery(settings.AlertDelivery, measurements.AbandonedAlerts));

        // What the audit projection records for each AlertDeliveryAbandoned of the alerts worker.
        _metrics.RecordAlertAbandoned("telegram");
        Tick();
        _metrics.RecordAlertAbandoned("telegram");
        Tick();
        Assert.Contains("alert deliveries abandoned in the last 30 min: 1;", Assert.Single(Drain()).Body);
        Assert.Equal("alert-delivery", Assert.Single(_status.Active).Name);

        time.Advance(settings.AlertDelivery.Window + TimeSpan.FromMinutes(1));
        Tick();
        Tick();
        AssertResolvedOnce("alert-delivery");
    }

    [Fact]
    public void A_request_p95_over_its_target_raises_one_alert_and_fast_requests_resolve_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var requests = new LatencyWindow(TimeSpan.FromMinutes(5), time);
        Watch(SelfWatchChecks.Latency("webhook-latency", new LatencyWatch(TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(5), 20, TimeSpan.Zero), requests));

        for (var i = 0; i < 30; i++)
        {
            requests.Record(TimeSpan.FromSeconds(2));
        }

        Tick();
        Tick();
        Assert.Contains("is 2500 ms (target 500 ms)", Assert.Single(Drain()).Body);

        time.Advance(TimeSpan.FromMinutes(6));
        for (var i = 0; i < 30; i++)
        {
            requests.Record(TimeSpan.FromMilliseconds(20));
        }

        Tick();
        AssertResolvedOnce("webhook-latency");
    }

    [Fact]
    public void Memory_disk_and_cpu_over_thresholds_set_below_what_the_process_uses_raise_one_alert_each_and_resolve()
    {
        var measuring = true;
        var process = new ProcessUsage(TimeProvider.System);
        var directory = Path.GetTempPath();
        Watch(
            SelfWatchChecks.Memory(new MemoryWatch(1024 * 1024, TimeSpan.Zero), () => measuring ? ProcessUsage.ResidentBytes() : 0),
            SelfWatchChecks.Disk(new RatioWatch(0.000001, TimeSpan.Zero), () => measuring ? DiskUsage.Of(directory) : new DiskUsage(0, 1)),
            SelfWatchChecks.Cpu(new RatioWatch(0.000001, TimeSpan.Zero), () =>
            {
                // Some work between two samples, so the interval has CPU time to measure.
                var spin = 0L;
                for (var i = 0; i < 5_000_000; i++)
                {
                    spin += i % 7;
                }

                GC.KeepAlive(spin);
                return measuring ? process.CpuSinceLastSample() : 0;
            }));

        Tick();
        Tick();
        Tick();
        var raised = Drain();
        Assert.Equal(
            new[] { $"self-watch:{Node}:cpu", $"self-watch:{Node}:disk", $"self-watch:{Node}:memory" },
            raised.Select(a => a.Fingerprint).Order(StringComparer.Ordinal));
        Assert.Contains(raised, a => a.Body.StartsWith("resident memory is", StringComparison.Ordinal));
        Assert.Equal(["cpu", "disk", "memory"], _status.Active.Select(c => c.Name));

        measuring = false;
        Tick();
        Tick();
        var resolved = Drain();
        Assert.Equal(3, resolved.Count);
        Assert.All(resolved, r => Assert.StartsWith($"Resolved: self-watch on {Node}", r.Title));
        Assert.Empty(_status.Active);
    }

    [Fact]
    public void A_condition_shorter_than_its_duration_is_never_alerted()
    {
        var holding = true;
        Watch(SelfWatchChecks.Memory(new MemoryWatch(1, TimeSpan.FromMinutes(1)), () => holding ? 2 : 0));

        Tick();
        Tick();
        holding = false;
        Tick();
        holding = true;
        Tick();
        Tick();

        Assert.Empty(Drain());
        Assert.Empty(_status.Active);
    }

    [Fact]
    public void Without_an_orchestrator_to_alert_a_condition_still_shows_in_the_status()
    {
        _watcher = Sys.ActorOf(SelfWatcher.Props(Node, [SelfWatchChecks.Memory(new MemoryWatch(1, TimeSpan.Zero), () => 2)], Interval, () => null, _status,
            _metrics, new Redactor(), NullLogger.Instance));
        Sync();
        Tick();

        Assert.Equal("memory", Assert.Single(_status.Active).Name);
        Assert.False(_alerts.HasMessages);
    }

    private static ReceiveDelivery Delivery(string id) => new("github", "push", id, JsonDocument.Parse($$"""{"id":"{{id}}"}""").RootElement.Clone());

    private void Watch(params SelfWatchCheck[] checks)
    {
        _watcher = Sys.ActorOf(SelfWatcher.Props(Node, checks, Interval, () => _alerts.Ref, _status, _metrics, new Redactor(), NullLogger.Instance));
        Sync();
    }

    /// <summary>One evaluation: the timer fires on the virtual clock, and the round trip after it waits until it was handled.</summary>
    private void Tick()
    {
        Clock.Advance(Interval);
        Sync();
    }

    private void Sync()
    {
        _watcher!.Tell(new Identify(null), TestActor);
        ExpectMsg<ActorIdentity>();
    }

    private List<RaiseAlert> Drain()
    {
        var alerts = new List<RaiseAlert>();
        while (_alerts.HasMessages)
        {
            alerts.Add(_alerts.ExpectMsg<RaiseAlert>());
        }

        return alerts;
    }

    private void AssertResolvedOnce(string condition)
    {
        var resolved = Assert.Single(Drain());
        Assert.Equal($"self-watch:{Node}:{condition}:resolved", resolved.Fingerprint);
        Assert.Equal($"Resolved: self-watch on {Node}: {condition}", resolved.Title);
        Assert.DoesNotContain(_status.Active, c => c.Name == condition);
    }

    /// <summary>Takes its first message and then blocks until the gate opens, so everything after it waits in its mailbox.</summary>
    private sealed class BlockedConsumer : ReceiveActor
    {
        public BlockedConsumer(ManualResetEventSlim gate)
        {
            Receive<string>(_ => gate.Wait(TimeSpan.FromMinutes(1)));
            Receive<int>(_ => { });
        }
    }

    /// <summary>A platform API that answers every request with <see cref="Status"/>.</summary>
    private sealed class StubPlatform : HttpMessageHandler
    {
        public volatile HttpStatusCode Status;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(Status) { Content = new StringContent("{}") });
    }
}
