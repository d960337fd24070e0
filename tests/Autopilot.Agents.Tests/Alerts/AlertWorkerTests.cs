using Akka.Actor;
using Autopilot.Agents.Alerts;
using Autopilot.Agents.Protocol;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Telegram;
using Autopilot.Simulator.Telegram;
using Microsoft.Extensions.Logging.Abstractions;
using Autopilot.Agents.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Alerts;

public sealed class AlertWorkerTests(ITestOutputHelper output) : AgentsTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ScriptedAlertChannel _telegram = new(AlertChannelNames.Telegram);
    private readonly ScriptedAlertChannel _github = new(AlertChannelNames.GitHub);

    private static AlertSettings AlertSettingsFor(int maxAttempts = 6) => AlertSettings.Default with { MaxAttempts = maxAttempts, PersistenceId = "alerts-test" };

    private IActorRef Start(AlertSettings? settings = null, params IAlertChannel[] channels) =>
        Sys.ActorOf(AlertWorker.Props(settings ?? AlertSettingsFor(), channels.Length == 0 ? [_telegram, _github] : channels));

    private IReadOnlyList<AlertSent> Sent() => Journal("alerts-test").OfType<AlertSent>().ToArray();

    [Fact]
    public void Info_is_journal_only_warning_goes_to_telegram_and_critical_also_opens_an_issue()
    {
        var alerts = Start();
        alerts.Tell(new RaiseAlert(AlertSeverity.Info, "api deployed", "abc123", "api:deploy-succeeded", "api"));
        alerts.Tell(new RaiseAlert(AlertSeverity.Warning, "checks failed", "ci red", "api:checks-failed", "api"));
        alerts.Tell(new RaiseAlert(AlertSeverity.Critical, "build failed", "error CS0103", "api:build-failed", "api"));

        AwaitCondition(() => Sent().Count == 3, Wait, message: "three alerts recorded as sent");
        var sent = Sent().ToDictionary(s => s.Title);
        Assert.Equal(["journal"], sent["api deployed"].Channels);
        Assert.Equal(["telegram"], sent["checks failed"].Channels);
        Assert.Equal(["github", "telegram"], sent["build failed"].Channels.Order());
        Assert.Equal(["checks failed", "build failed"], _telegram.Delivered.Select(m => m.Title));
        Assert.Equal("build failed", Assert.Single(_github.Delivered).Title);
    }

    [Fact]
    public void A_storm_of_one_fingerprint_sends_the_first_alert_and_one_summary_with_the_count()
    {
        var alerts = Start();
        for (var i = 0; i < 5; i++)
        {
            alerts.Tell(new RaiseAlert(AlertSeverity.Warning, "api slow", $"probe {i}", "health:api:degraded", "api"));
            alerts.Tell(new RaiseAlert(AlertSeverity.Warning, "db slow", "probe", "health:db:degraded"));
            AwaitCondition(() => Journal("alerts-test").OfType<AlertAccepted>().Count() == 2 * (i + 1), Wait);
            Scheduler.Advance(TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(1));
        }

        Assert.Equal(["api slow", "db slow"], _telegram.Delivered.Select(m => m.Title).Order());
        AdvanceUntil(() => _telegram.Delivered.Count == 4, TimeSpan.FromSeconds(30), "the two summaries");
        var summaries = _telegram.Delivered.Skip(2).Select(m => m.Title).Order().ToArray();
        Assert.Equal(["api slow (×5 in the last 5 min)", "db slow (×5 in the last 5 min)"], summaries);
        Assert.Equal("probe 4", _telegram.Delivered.Single(m => m.Title.StartsWith("api slow (", StringComparison.Ordinal)).Body);
    }

    [Fact]
    public void A_failing_channel_is_retried_with_backoff_until_it_delivers()
    {
        _telegram.FailuresLeft = 3;
        var alerts = Start();
        alerts.Tell(new RaiseAlert(AlertSeverity.Warning, "api slow", "p95 2s", "health:api:degraded", "api"));

        AdvanceUntil(() => _telegram.Delivered.Count == 1, TimeSpan.FromSeconds(5), "delivery after three failures");
        Assert.Equal(4, _telegram.Attempts.Count);
        AwaitCondition(() => Sent().Count == 1, Wait);
        Assert.Equal(["telegram"], Sent()[0].Channels);
    }

    [Fact]
    public void A_channel_that_never_works_is_given_up_and_the_give_up_is_on_the_record()
    {
        _telegram.FailuresLeft = int.MaxValue;
        var alerts = Start(AlertSettingsFor(maxAttempts: 3));
        alerts.Tell(new RaiseAlert(AlertSeverity.Critical, "api down", "502", "health:api:down", "api"));

        AdvanceUntil(() => Journal("alerts-test").OfType<AlertDeliveryAbandoned>().Any(), TimeSpan.FromSeconds(5), "the give-up");
        var abandoned = Journal("alerts-test").OfType<AlertDeliveryAbandoned>().Single();
        Assert.Equal(("telegram", 3, "api down"), (abandoned.Channel, abandoned.Attempts, abandoned.Title));
        Assert.Contains("telegram is down", abandoned.Error, StringComparison.Ordinal);
        Assert.Equal(3, _telegram.Attempts.Count);

        // The issue still went out, and the alert is recorded as sent to that channel only.
        AwaitCondition(() => Sent().Count == 1, Wait);
        Assert.Equal(["github"], Sent()[0].Channels);
        // An hour later nothing has been tried again: every timer due in that hour has been delivered and handled.
        Scheduler.Advance(TimeSpan.FromHours(1));
        Settle(alerts);
        Assert.Equal(3, _telegram.Attempts.Count);
    }

    [Fact]
    public void An_accepted_alert_survives_a_restart_of_the_worker_and_is_delivered_by_its_successor()
    {
        var stuck = new ScriptedAlertChannel(AlertChannelNames.Telegram) { Hang = true };
        var first = Start(AlertSettingsFor(), stuck);
        first.Tell(new RaiseAlert(AlertSeverity.Warning, "queue backing up", "12k jobs", "worker:queue", "worker"));
        AwaitCondition(() => stuck.Attempts.Count == 1, Wait);
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first, Wait);

        Start(AlertSettingsFor(), _telegram);
        AwaitCondition(() => _telegram.Delivered.Count == 1, Wait, message: "redelivery after restart");
        Assert.Equal("queue backing up", _telegram.Delivered[0].Title);
        AwaitCondition(() => Sent().Count == 1, Wait);
    }

    [Fact]
    public async Task Telegram_flood_control_is_waited_out_for_the_servers_retry_after()
    {
        const string token = "123456:AAH-test-token-value";
        await using var fake = new TelegramFake(Clock);
        await fake.StartAsync();
        fake.AddBot(token);
        fake.RateLimitNext(retryAfterSeconds: 40);
        using var http = new HttpClient();
        var client = new TelegramBotClient(http, new TelegramBotOptions(token, fake.BaseAddress,
            new PlatformCallOptions(1, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(30), TimeSpan.Zero)), new Redactor(), TimeProvider.System, NullLogger.Instance);
        var alerts = Start(AlertSettingsFor(), new TelegramAlertChannel(client, TelegramChatId.FromId(4242)));

        alerts.Tell(new RaiseAlert(AlertSeverity.Warning, "api <slow>", "p95 = 2s & rising", "health:api:degraded", "api"));
        AdvanceUntil(() => fake.MessagesIn(4242).Count == 1, TimeSpan.FromSeconds(2), "the message after the flood wait");
        var exchanges = fake.Exchanges;
        Assert.Equal([429, 200], exchanges.Select(e => e.StatusCode));
        Assert.True(exchanges[1].ReceivedAt - exchanges[0].ReceivedAt >= TimeSpan.FromSeconds(40), "retried before the server's retry_after");
        Assert.Contains("WARNING: api <slow>", fake.MessagesIn(4242)[0].Text, StringComparison.Ordinal);
        Assert.DoesNotContain(token, string.Join("\n", Journal("alerts-test").Select(e => e.ToString())), StringComparison.Ordinal);
    }
}
