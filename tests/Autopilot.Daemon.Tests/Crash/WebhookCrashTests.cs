using Autopilot.Daemon.Tests.Persistence;
using Autopilot.Testing.PostgreSql;

namespace Autopilot.Daemon.Tests.Crash;

/// <summary>
/// SIGKILL of the daemon process during signed webhook load, then a restart: nothing answered 2xx is lost or doubled.
/// A few runs per journal here keep the suite's time reasonable; the 20 (SQLite) and 5 (PostgreSQL) runs are
/// the same scenario with more run numbers: <c>AUTOPILOT_CRASH_RUNS_SQLITE=20 AUTOPILOT_CRASH_RUNS_POSTGRES=5 dotnet test
/// tests/Autopilot.Daemon.Tests --filter FullyQualifiedName~Crash</c>.
/// </summary>
[Collection(DaemonPostgresCollection.Name)]
public sealed class WebhookCrashTests(ThrowawayPostgres server)
{
    public static TheoryData<int> SqliteRuns => Runs("AUTOPILOT_CRASH_RUNS_SQLITE", 3);

    public static TheoryData<int> PostgresRuns => Runs("AUTOPILOT_CRASH_RUNS_POSTGRES", 1);

    private static TheoryData<int> Runs(string variable, int normal)
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable(variable), out var asked) && asked > 0 ? asked : normal;
        var data = new TheoryData<int>();
        for (var run = 1; run <= count; run++)
        {
            data.Add(run);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SqliteRuns))]
    public Task Sqlite_every_delivery_answered_2xx_before_a_sigkill_is_in_the_journal_once_with_its_payload(int run) =>
        WebhookCrashScenario.RunAsync(run, new Dictionary<string, string>(),
            directory => "autopilot.persistence.journal.plugin = sqlite");

    [Fact]
    public Task Sqlite_every_delivery_answered_2xx_before_a_sigterm_under_load_is_in_the_journal_once_with_its_payload() =>
        WebhookCrashScenario.RunAsync(7, new Dictionary<string, string>(),
            _ => "autopilot.persistence.journal.plugin = sqlite", signal: 15);

    [Theory]
    [MemberData(nameof(PostgresRuns))]
    public async Task Postgresql_every_delivery_answered_2xx_before_a_sigkill_is_in_the_journal_once_with_its_payload(int run)
    {
        var db = await server.CreateDatabaseAsync($"crash_{run}");
        await WebhookCrashScenario.RunAsync(run,
            new Dictionary<string, string> { ["AUTOPILOT_JOURNAL_PLUGIN"] = "postgresql", ["AUTOPILOT_POSTGRES_CONNECTION_STRING"] = db },
            _ => $"""
                autopilot.persistence.journal.plugin = postgresql
                autopilot.persistence.journal.postgresql.connection-string = {System.Text.Json.JsonSerializer.Serialize(db)}
                """);
    }
}
