using Autopilot.Agents.Protocol;
using Autopilot.Agents.Readiness;
using Autopilot.Agents.Serialization;
using Xunit;

namespace Autopilot.Agents.Tests.Serialization;

/// <summary>Confidence, readiness assessments and approval requests on the record: v1 stays readable, new events read back as written.</summary>
public sealed class DecisionEventsSerializationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly EventCatalog _catalog = EventCatalog.ForAgents();

    private T RoundTrip<T>(T item) where T : notnull =>
        Assert.IsType<T>(_catalog.FromJson(_catalog.ToJson(item), _catalog.ManifestOf(item)));

    [Fact]
    public void A_decision_written_before_confidence_reads_back_without_one_and_a_new_one_keeps_it_under_the_same_manifest()
    {
        var old = """
            {"service":"api","situation":"build-failed","actions":["rollback"],"reason":"policy rule","dryRun":false,
             "deploymentId":"d2","commit":"c2","at":"2026-12-01T12:00:00+00:00"}
            """u8.ToArray();

        var read = Assert.IsType<Decided>(_catalog.FromJson(old, "autopilot.decided#1"));
        var scored = read with { Confidence = 85 };

        Assert.Null(read.Confidence);
        Assert.Equal("autopilot.decided#1", _catalog.ManifestOf(scored));
        Assert.Equal(85, RoundTrip(scored).Confidence);
    }

    [Fact]
    public void A_readiness_assessment_and_an_approval_request_read_back_with_every_check_and_all_evidence()
    {
        var assessed = new ReadinessAssessed("api", "c2", ReadinessDecisions.Warning,
        [
            new ReadinessCheck("tests", true, "1 run(s) concluded successfully", new Dictionary<string, string> { ["workflow CI"] = "success" }, 95),
            new ReadinessCheck("performance", false, "failed: check Benchmarks (failure)", new Dictionary<string, string> { ["check Benchmarks"] = "failure" }, 95),
        ], T0, 95);
        var approval = new ApprovalRequested("apr-0123456789ab", "api", "deploy", "readiness WARNING", 95,
            new Dictionary<string, string> { ["check performance"] = "FAILED: failed: check Benchmarks (failure)" }, "c2", null, T0);

        var assessedBack = RoundTrip(assessed);
        var approvalBack = RoundTrip(approval);

        Assert.Equal("autopilot.readiness_assessed#1", _catalog.ManifestOf(assessed));
        Assert.Equal("autopilot.approval_requested#1", _catalog.ManifestOf(approval));
        Assert.Equal((assessed.Service, assessed.Commit, assessed.Decision, assessed.At, assessed.Confidence),
            (assessedBack.Service, assessedBack.Commit, assessedBack.Decision, assessedBack.At, assessedBack.Confidence));
        Assert.Equal(["performance"], assessedBack.FailedChecks);
        Assert.Equal("failure", assessedBack.Checks[1].Evidence["check Benchmarks"]);
        Assert.Equal(assessed.Checks.Select(c => (c.Name, c.Passed, c.Details, c.Confidence)), assessedBack.Checks.Select(c => (c.Name, c.Passed, c.Details, c.Confidence)));
        Assert.Equal((approval.ApprovalId, approval.Action, approval.Confidence, approval.Commit, approval.DeploymentId),
            (approvalBack.ApprovalId, approvalBack.Action, approvalBack.Confidence, approvalBack.Commit, approvalBack.DeploymentId));
        Assert.Equal(approval.Evidence, approvalBack.Evidence);
        Assert.Contains(typeof(ReadinessAssessed), AuditEvents.Types);
        Assert.Contains(typeof(ApprovalRequested), AuditEvents.Types);
    }
}
