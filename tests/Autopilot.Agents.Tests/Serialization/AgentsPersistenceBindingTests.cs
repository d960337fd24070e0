using System.Collections.Concurrent;
using System.Reflection;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.TestKit;
using Autopilot.Agents.Alerts;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Serialization;
using Autopilot.Agents.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Serialization;

/// <summary>
/// The persistence HOCON of the agents (<see cref="AgentsPersistence"/>) as an actor system really applies it: every
/// persisted type goes to the agents' serializer, and the journal tags audit events (and only those) on their way in.
/// </summary>
public sealed class AgentsPersistenceBindingTests(ITestOutputHelper output) : AgentsTestKit(output)
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Records what reaches the journal's storage (after the write adapters), letting every write through.</summary>
    private sealed class StoredPayloads : IJournalInterceptor
    {
        public ConcurrentQueue<object> Payloads { get; } = new();

        public Task InterceptAsync(IPersistentRepresentation message)
        {
            Payloads.Enqueue(message.Payload);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public void Every_type_with_an_event_manifest_is_serialized_by_the_agents_serializer()
    {
        var persisted = typeof(EventSerializer).Assembly.GetTypes().Where(t => t.GetCustomAttribute<EventManifestAttribute>() is not null).ToArray();

        Assert.NotEmpty(persisted);
        Assert.All(persisted, type => Assert.IsType<EventSerializer>(Sys.Serialization.FindSerializerForType(type)));
    }

    [Fact]
    public async Task An_audit_event_is_stored_tagged_with_audit_and_its_domain_and_an_outbox_record_untagged_and_both_read_back_as_written()
    {
        var stored = new StoredPayloads();
        await JournalFaults.OnWrite.SetInterceptorAsync(stored);
        var audit = new AlertSent(AlertSeverity.Warning, "db slow", "health:db:degraded", ["telegram"], "db", T0);
        var outbox = new AlertAccepted("alert-1", AlertSeverity.Warning, "db slow", "p95 900 ms", "health:db:degraded", "db", ["telegram"], false, T0);

        SeedJournal("binding-test", audit, outbox);

        Assert.Equal(2, stored.Payloads.Count);
        var tagged = Assert.IsType<Tagged>(stored.Payloads.First());
        Assert.Equal(new[] { AuditEvents.Tag, audit.Domain }.Order(), tagged.Tags.Order());
        Assert.Same(audit, tagged.Payload);
        Assert.Equal(outbox is IAuditEvent, stored.Payloads.Last() is Tagged);
        var replayed = Journal("binding-test");
        Assert.Equal(2, replayed.Count);
        Assert.Equal(Json(audit), Json(replayed[0]));
        Assert.Equal(Json(outbox), Json(replayed[1]));
    }

    [Fact]
    public void Audit_events_and_outbox_records_read_back_from_the_bound_serializer_as_written()
    {
        object[] written =
        [
            new AlertSent(AlertSeverity.Critical, "api down", "health:api:down", ["telegram", "github"], "api", T0),
            new AlertAccepted("alert-2", AlertSeverity.Critical, "api down", "502", "health:api:down", "api", ["telegram", "github"], false, T0),
            new ActionRequested("a-1", WorkerNames.Railway, "rollback", "api", new Dictionary<string, string> { ["to"] = "d1" }, "d2", "c2", T0),
            new ExternalEventReceived("github", "push", "delivery-1", T0),
            new Autopilot.Agents.Migrations.MigrationStepRequested("app", "migrate-1", "apply", "V2__b.sql", 2, "ab12", "c2", null, T0),
            new Autopilot.Agents.Migrations.MigrationStepRecorded("app", "migrate-1", "apply", "V2__b.sql", false, "23505: duplicate key", true, T0),
            new Autopilot.Agents.Migrations.RunMigrations("app", true, "ops"),
        ];

        foreach (var item in written)
        {
            Assert.Equal(Json(item), Json(RoundTripSnapshotStore.RoundTrip(Sys, item)));
        }
    }

    private static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value, value.GetType());
}
