using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Autopilot.Testing.PostgreSql;
using Npgsql;

namespace Autopilot.Coordination.PostgreSql.Tests;

/// <summary>The HOCON section, the session settings, and connection strings that never reach a log or an exception.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ConfigurationTests(ThrowawayPostgres postgres) : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await postgres.CreateDatabaseAsync("lease_configuration");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_lease_provider_builds_it_from_the_section_with_the_akka_timings()
    {
        await using var node = LeaseNode.Start(_connectionString, "configured", "127.0.0.1:2552");
        var settings = node.Lease.PostgreSqlSettings;
        Assert.Equal(TimeSpan.FromSeconds(3), settings.HeartbeatTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.OperationTimeout);
        Assert.Equal(settings.HeartbeatInterval, settings.SafetyMargin);
        Assert.Equal(PostgreSqlLeaseSettings.DefaultTableName, settings.TableName);
        Assert.Equal("configured", node.Lease.Settings.LeaseName);
        Assert.Equal("127.0.0.1:2552", node.Lease.Settings.OwnerName);
        Assert.Equal($"127.0.0.1:2552#{node.Lease.Incarnation}", node.Lease.Owner);
        // The same name, section and owner give the same instance: a worker can find the singleton's lease.
        Assert.Same(node.Lease, LeaseProvider.Get(node.System).GetLease("configured", PostgreSqlLease.DefaultConfigPath, "127.0.0.1:2552"));
    }

    [Fact]
    public async Task A_custom_schema_qualified_table_is_created_and_used()
    {
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE SCHEMA IF NOT EXISTS coordination", connection);
            await command.ExecuteNonQueryAsync();
        }

        var config = ConfigurationFactory.ParseString($$"""
            custom-lease {
              lease-class = "Autopilot.Coordination.PostgreSql.PostgreSqlLease, Autopilot.Coordination.PostgreSql"
              connection-string = "{{LeaseNode.Hocon(_connectionString)}}"
              table-name = "coordination.Leases"
            }
            """);
        // A section of its own, without DefaultConfig: the timings fall back to akka.coordination.lease (120 s / 12 s / 5 s).
        using var system = ActorSystem.Create("custom-table", config);
        var lease = (PostgreSqlLease)LeaseProvider.Get(system).GetLease("custom", "custom-lease", "127.0.0.1:2553");
        Assert.Equal(TimeSpan.FromSeconds(120), lease.PostgreSqlSettings.HeartbeatTimeout);
        Assert.True(await lease.Acquire());
        var row = await new LeaseDatabase(_connectionString, "coordination.\"Leases\"").ReadAsync("custom", DateTime.MinValue);
        Assert.Equal(lease.Owner, row?.Owner);
        Assert.Equal(lease.FencingToken, row?.Token);
        await system.Terminate();
    }

    [Fact]
    public async Task Sessions_bound_idle_transactions_and_statements()
    {
        await using var node = LeaseNode.Start(_connectionString, "sessions");
        await using var connection = new NpgsqlConnection(node.Lease.PostgreSqlSettings.ConnectionString);
        await connection.OpenAsync();
        foreach (var setting in new[] { "idle_in_transaction_session_timeout", "statement_timeout", "lock_timeout" })
        {
            await using var command = new NpgsqlCommand($"SHOW {setting}", connection);
            Assert.Equal("2s", await command.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task Passwords_never_reach_an_exception_or_a_log_line()
    {
        var wrongPassword = $"wrong-{Guid.NewGuid():N}";
        var wrong = new NpgsqlConnectionStringBuilder(_connectionString) { Password = wrongPassword }.ConnectionString;
        await using (var failing = LeaseNode.Start(wrong, "secrets", logLevel: "DEBUG"))
        {
            var failure = await Assert.ThrowsAnyAsync<LeaseException>(() => failing.AcquireAsync());
            Assert.DoesNotContain(wrongPassword, failure.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(wrongPassword, failing.Lease.PostgreSqlSettings.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(wrongPassword, failing.Lease.ToString(), StringComparison.Ordinal);
            AssertNoLogContains(failing, wrongPassword);
        }

        await using (var working = LeaseNode.Start(_connectionString, "secrets", logLevel: "DEBUG"))
        {
            Assert.True(await working.AcquireAsync());
            await new LeaseDatabase(_connectionString).StealAsync("secrets");
            await Eventually.WithinPatience(working.FirstLost, "the lease was lost");
            AssertNoLogContains(working, postgres.Password);
        }

        // A malformed connection string is refused without quoting it.
        var malformed = $"Host=127.0.0.1;Password={wrongPassword};Not A Keyword={wrongPassword}";
        var error = Assert.ThrowsAny<Exception>(() => LeaseNode.Start(malformed, "secrets"));
        Assert.DoesNotContain(wrongPassword, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "2s", "500ms", "300ms", "connection-string")]
    [InlineData("Host=127.0.0.1", "2s", "900ms", "1200ms", "safety-margin")]
    [InlineData("Host=127.0.0.1;Password=x", "2s", "500ms", "300ms", "table-name", "a.b.c")]
    public void Bad_sections_are_refused_with_the_offending_key(string connectionString, string timeout, string interval, string margin, string key,
        string table = "akka_leases")
    {
        var config = ConfigurationFactory.ParseString($$"""
            lease {
              connection-string = "{{connectionString}}"
              heartbeat-timeout = {{timeout}}
              heartbeat-interval = {{interval}}
              safety-margin = {{margin}}
              table-name = "{{table}}"
            }
            """).GetConfig("lease").WithFallback(PostgreSqlLease.DefaultConfig().GetConfig(PostgreSqlLease.DefaultConfigPath));
        var error = Assert.ThrowsAny<ArgumentException>(() => PostgreSqlLeaseSettings.Create(LeaseSettings.Create(config, "bad", "127.0.0.1:1")));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static void AssertNoLogContains(LeaseNode node, string secret)
    {
        Assert.NotEmpty(node.Logs);
        foreach (var log in node.Logs)
        {
            Assert.DoesNotContain(secret, log.ToString(), StringComparison.Ordinal);
            if (log.Cause is not null)
                Assert.DoesNotContain(secret, log.Cause.ToString(), StringComparison.Ordinal);
        }
    }
}
