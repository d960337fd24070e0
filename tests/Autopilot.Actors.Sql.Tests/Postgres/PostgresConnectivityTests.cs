using System.Net;
using System.Net.Sockets;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Connectivity;
using Autopilot.Actors.Sql.Postgres;
using Microsoft.Extensions.Logging;

namespace Autopilot.Actors.Sql.Tests.Postgres;

/// <summary>Start-up retries, health reporting and secrecy of the PostgreSQL journal when the database is away.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresConnectivityTests(ThrowawayPostgres server)
{
    private static readonly RetryBackoff Backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));

    [Fact]
    public async Task An_unreachable_database_is_retried_with_capped_backoff_reported_in_health_and_logged_once_per_step_without_the_password()
    {
        const string password = "never-log-me-91";
        var connectionString = $"Host=127.0.0.1;Port={ClosedPort()};Username=autopilot;Password={password};Database=journal;Timeout=5";
        var time = new ManualTimeProvider();
        var logger = new TestLogger();
        await using var journal = new PostgresEventJournal(new PostgresJournalSettings(connectionString) { StartupBackoff = Backoff }, PersistenceSpec.CreateSerializer(), logger, time);
        using var stop = new CancellationTokenSource();

        Assert.Equal(JournalStatus.Starting, journal.Health.Status);
        var start = journal.StartAsync(stop.Token);

        await Eventually.TrueAsync(() => journal.Health.ConsecutiveFailures == 1 && time.PendingTimers == 1, "first failed attempt");
        Assert.Equal(JournalStatus.Unreachable, journal.Health.Status);
        Assert.Contains("127.0.0.1", journal.Health.Detail);
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);

        foreach (var (advance, failures) in new[] { (1, 2), (2, 3), (4, 4), (4, 5) })
        {
            time.Advance(TimeSpan.FromSeconds(advance));
            await Eventually.TrueAsync(() => journal.Health.ConsecutiveFailures == failures && time.PendingTimers == 1, $"attempt {failures}");
        }

        Assert.Equal(5, logger.Entries.Count(e => e.Level == LogLevel.Warning));
        Assert.Contains("retrying in 00:00:04", logger.Entries[^1].Message);
        await Assert.ThrowsAsync<JournalUnavailableException>(() => journal.WriteAsync(new AtomicWrite("p", [new PersistentEvent("p", 1, new TckNote("x", 1), [], DateTimeOffset.UnixEpoch)])));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start);
        Assert.DoesNotContain(password, journal.Health.Detail);
        Assert.All(logger.Entries, e => Assert.DoesNotContain(password, e.Message));
    }

    [Fact]
    public async Task A_journal_started_while_postgres_is_down_becomes_healthy_when_it_comes_up()
    {
        var connectionString = await server.CreateDatabaseAsync(nameof(A_journal_started_while_postgres_is_down_becomes_healthy_when_it_comes_up));
        var time = new ManualTimeProvider();
        var logger = new TestLogger();
        await using var journal = new PostgresEventJournal(new PostgresJournalSettings(connectionString) { StartupBackoff = Backoff }, PersistenceSpec.CreateSerializer(), logger, time);

        await server.StopAsync();
        Task start;
        try
        {
            start = journal.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => journal.Health.ConsecutiveFailures >= 1 && time.PendingTimers == 1, "a failed attempt while the server is down");
            Assert.Equal(JournalStatus.Unreachable, journal.Health.Status);
        }
        finally
        {
            await server.StartAsync();
        }

        time.Advance(TimeSpan.FromSeconds(4));
        await start;

        Assert.Equal(JournalHealth.Healthy, journal.Health);
        await journal.WriteAsync(new AtomicWrite("p", [new PersistentEvent("p", 1, new TckNote("after start", 1), [], DateTimeOffset.UnixEpoch)]));
        Assert.Equal(1, await journal.ReadHighestSequenceNrAsync("p"));
        Assert.All(logger.Entries, e => Assert.DoesNotContain(server.Password, e.Message));
    }

    [Fact]
    public async Task Writes_fail_as_unavailable_while_postgres_restarts_and_succeed_afterwards_without_losing_or_duplicating_events()
    {
        var connectionString = await server.CreateDatabaseAsync(nameof(Writes_fail_as_unavailable_while_postgres_restarts_and_succeed_afterwards_without_losing_or_duplicating_events));
        await using var journal = new PostgresEventJournal(new PostgresJournalSettings(connectionString), PersistenceSpec.CreateSerializer(), new TestLogger(), TimeProvider.System);
        await journal.StartAsync(CancellationToken.None);
        await journal.WriteAsync(Write(1));

        await server.RestartAsync();

        var failures = 0;
        while (true)
        {
            try
            {
                await journal.WriteAsync(Write(2));
                break;
            }
            catch (JournalUnavailableException e)
            {
                Assert.DoesNotContain(server.Password, e.ToString());
                Assert.True(++failures < 5, "the journal reconnects after a restart");
            }
        }

        var events = new List<EventEnvelope>();
        await foreach (var e in journal.ReplayAsync("p", 1, long.MaxValue))
            events.Add(e);
        Assert.Equal([1L, 2], events.Select(e => e.SequenceNr));
        Assert.Equal(JournalStatus.Healthy, journal.Health.Status);

        static AtomicWrite Write(long seq) => new("p", [new PersistentEvent("p", seq, new TckNote($"n{seq}", (int)seq), [], DateTimeOffset.UnixEpoch)]);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
