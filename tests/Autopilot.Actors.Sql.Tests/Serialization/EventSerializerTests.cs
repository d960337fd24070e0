using System.Text;

namespace Autopilot.Actors.Sql.Tests.Serialization;

public sealed class EventSerializerTests
{
    [EventManifest("orchestrator.action-requested", Version = 3)]
    private sealed record ActionRequested(string Target, string Action, int Priority);

    [EventManifest("orchestrator.action-completed")]
    private sealed record ActionCompleted(string Target);

    private sealed record NotAnnotated(string Text);

    [Fact]
    public void An_annotated_type_is_stored_under_its_manifest_and_version_and_reads_back()
    {
        var serializer = new EventSerializer().Register<ActionRequested>();
        var payload = serializer.Serialize(new ActionRequested("api", "restart", 2));

        Assert.Equal("orchestrator.action-requested", payload.Manifest);
        Assert.Equal(3, payload.Version);
        Assert.Equal("""{"target":"api","action":"restart","priority":2}""", Encoding.UTF8.GetString(payload.Json));
        Assert.Equal(new ActionRequested("api", "restart", 2), serializer.Deserialize(payload));
    }

    [Fact]
    public void Registration_refuses_a_type_without_manifest_and_a_manifest_used_twice()
    {
        var serializer = new EventSerializer().Register<ActionCompleted>();
        Assert.Throws<ArgumentException>(() => serializer.Register<NotAnnotated>());
        var taken = Assert.Throws<ArgumentException>(() => serializer.Register<NotAnnotated>("orchestrator.action-completed"));
        Assert.Contains("orchestrator.action-completed", taken.Message);
        Assert.Throws<ArgumentException>(() => serializer.Register<ActionCompleted>("other.name"));
        serializer.Register<ActionCompleted>(); // the same registration again is harmless
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventSerializer().Register<NotAnnotated>("x", version: 0));
    }

    [Fact]
    public void Serializing_an_unregistered_type_is_a_journal_rejection_naming_the_type()
    {
        var error = Assert.Throws<EventSerializationException>(() => new EventSerializer().Serialize(new NotAnnotated("x")));
        Assert.IsAssignableFrom<JournalRejectedException>(error);
        Assert.Equal(typeof(NotAnnotated), error.PayloadType);
        Assert.Contains(nameof(NotAnnotated), error.Message);
    }

    [Fact]
    public void An_unknown_manifest_names_manifest_persistence_id_and_sequence_nr()
    {
        var payload = new SerializedPayload("billing.invoice-sent", 1, "{}"u8.ToArray());
        var error = Assert.Throws<UnknownEventManifestException>(() => new EventSerializer().Deserialize(payload, "invoices-7", 42));
        Assert.Equal("billing.invoice-sent", error.Manifest);
        Assert.Equal("invoices-7", error.PersistenceId);
        Assert.Equal(42, error.SequenceNr);
        Assert.Contains("'billing.invoice-sent'", error.Message);
        Assert.Contains("'invoices-7'", error.Message);
        Assert.Contains("42", error.Message);
    }

    [Fact]
    public void Upcasters_chain_from_an_old_version_to_the_current_type()
    {
        var serializer = new EventSerializer()
            .Register<ActionRequested>()
            .RegisterUpcaster("orchestrator.action-requested", 1, json =>
            {
                var o = json.AsObject();
                o["target"] = o["service"]?.DeepClone(); // v1 "service" became "target" in v2
                o.Remove("service");
                return o;
            })
            .RegisterUpcaster("orchestrator.action-requested", 2, json =>
            {
                json["priority"] = 5; // v3 added a priority, defaulting to 5
                return json;
            });

        var v1 = new SerializedPayload("orchestrator.action-requested", 1, """{"service":"db","action":"failover"}"""u8.ToArray());
        var v2 = new SerializedPayload("orchestrator.action-requested", 2, """{"target":"cache","action":"flush"}"""u8.ToArray());

        Assert.Equal(new ActionRequested("db", "failover", 5), serializer.Deserialize(v1));
        Assert.Equal(new ActionRequested("cache", "flush", 5), serializer.Deserialize(v2));
        Assert.Throws<ArgumentException>(() => serializer.RegisterUpcaster("orchestrator.action-requested", 1, j => j));
    }

    [Fact]
    public void A_missing_upcaster_or_a_newer_version_is_a_clear_error()
    {
        var serializer = new EventSerializer().Register<ActionRequested>();
        var old = new SerializedPayload("orchestrator.action-requested", 1, "{}"u8.ToArray());
        var missing = Assert.Throws<UnsupportedEventVersionException>(() => serializer.Deserialize(old, "p", 1));
        Assert.Contains("no upcaster is registered from v1 to v2", missing.Message);
        Assert.Equal(3, missing.CurrentVersion);

        var future = new SerializedPayload("orchestrator.action-requested", 4, "{}"u8.ToArray());
        var newer = Assert.Throws<UnsupportedEventVersionException>(() => serializer.Deserialize(future));
        Assert.Equal(4, newer.Version);
    }

    [Fact]
    public void Corrupt_json_and_failing_upcasters_are_unreadable_events()
    {
        var serializer = new EventSerializer()
            .Register<ActionRequested>()
            .RegisterUpcaster("orchestrator.action-requested", 2, _ => throw new InvalidOperationException("boom"));

        Assert.Throws<UnreadableEventException>(() => serializer.Deserialize(new SerializedPayload("orchestrator.action-requested", 3, "{not json"u8.ToArray())));
        Assert.Throws<UnreadableEventException>(() => serializer.Deserialize(new SerializedPayload("orchestrator.action-requested", 3, "null"u8.ToArray())));
        var failed = Assert.Throws<UnreadableEventException>(() => serializer.Deserialize(new SerializedPayload("orchestrator.action-requested", 2, "{}"u8.ToArray())));
        Assert.Contains("boom", failed.Message);
    }
}
