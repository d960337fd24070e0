using System.Text.Json.Serialization;
using Autopilot.Agents.Readiness;
using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Protocol;

/// <summary>
/// The production-readiness gate judged a commit: every check with its evidence and the decision, in ONE audit event,
/// so the record shows why a commit was (or was not) deployed without reading anything else. Recorded before the
/// autopilot deploys a green commit on its own, and for an on-demand <see cref="AssessReadiness"/> (which is also its
/// answer).
/// </summary>
/// <param name="Service">The service the commit would be deployed to.</param>
/// <param name="Commit">The commit.</param>
/// <param name="Decision"><c>GO</c>, <c>WARNING</c> or <c>NO-GO</c> (<see cref="ReadinessDecisions"/>).</param>
/// <param name="Checks">Every check (tests, integration, security, documentation, performance, rollback plan) with its evidence.</param>
/// <param name="At">When.</param>
/// <param name="Confidence">
/// How sure the assessment is, 0–100 (the least sure check's confidence, see <see cref="Policy.ConfidenceRules"/>); a
/// trailing optional member, so the schema stays v1.
/// </param>
[EventManifest("autopilot.readiness_assessed", Version = 1)]
public sealed record ReadinessAssessed(
    string Service, string Commit, string Decision, IReadOnlyList<ReadinessCheck> Checks, DateTimeOffset At, int? Confidence = null) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Autopilot;

    /// <summary>The names of the checks that failed, in check order.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> FailedChecks => Checks.Where(c => !c.Passed).Select(c => c.Name).ToArray();
}
