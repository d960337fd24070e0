using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Protocol;

/// <summary>
/// A persisted record of what the autopilot saw, thought and did. Every audit event is tagged <c>audit</c> plus its
/// <see cref="Domain"/>, so an operator can replay the whole story or one platform's part of it.
/// </summary>
public interface IAuditEvent
{
    /// <summary>When it happened.</summary>
    DateTimeOffset At { get; }

    /// <summary>The domain tag: railway, github, n8n, alerts, incident, security or autopilot.</summary>
    [JsonIgnore]
    string Domain { get; }
}

/// <summary>The tags and registration shared by all audit events.</summary>
public static class AuditEvents
{
    /// <summary>The tag every audit event carries.</summary>
    public const string Tag = "audit";

    /// <summary>Domain tags (the second tag of an audit event).</summary>
    public static class Domains
    {
        /// <summary>Railway deployments.</summary>
        public const string Railway = "railway";

        /// <summary>GitHub.</summary>
        public const string GitHub = "github";

        /// <summary>n8n workflows.</summary>
        public const string N8n = "n8n";

        /// <summary>Alert delivery.</summary>
        public const string Alerts = "alerts";

        /// <summary>Incident lifecycle.</summary>
        public const string Incident = "incident";

        /// <summary>Security-relevant events (rejected webhooks, token problems).</summary>
        public const string Security = "security";

        /// <summary>The autopilot's own control state (pause, dry-run, budget).</summary>
        public const string Autopilot = "autopilot";

        /// <summary>Cluster hand-overs: which node runs the orchestrator, with which fencing token.</summary>
        public const string Cluster = "cluster";

        /// <summary>Database migrations: each backup, file, verification and restore.</summary>
        public const string Database = "database";

        /// <summary>Operator tasks: submitted, started, finished, cancelled, timed out (see <c>Autopilot.Agents.Tasks</c>).</summary>
        public const string Tasks = "tasks";
    }

    /// <summary>Every audit event type, for registration and documentation.</summary>
    public static readonly IReadOnlyList<Type> Types =
    [
        typeof(Observed), typeof(Oriented), typeof(Decided), typeof(ActionRequested), typeof(ActionCompleted), typeof(ActionFailed),
        typeof(AlertSent), typeof(IncidentOpened), typeof(IncidentUpdated), typeof(N8nFailureDetected), typeof(N8nRecoveryAttempted),
        typeof(SecurityEventRecorded), typeof(ExternalEventReceived), typeof(AutopilotModeChanged), typeof(SingletonStarted), typeof(SingletonStopped),
        typeof(ReadinessAssessed), typeof(ApprovalRequested), typeof(ApprovalDecided), typeof(ApprovalExpired),
        typeof(Migrations.MigrationStepRequested), typeof(Migrations.MigrationStepRecorded),
        typeof(Autopilot.Agents.Tasks.TaskSubmitted), typeof(Autopilot.Agents.Tasks.TaskStarted), typeof(Autopilot.Agents.Tasks.TaskFinished), typeof(Autopilot.Agents.Tasks.TaskCancelled), typeof(Autopilot.Agents.Tasks.TaskTimedOut),
    ];

    /// <summary>Registers every audit event type with <paramref name="serializer"/> (an <see cref="EventCatalog"/>; the Akka <see cref="EventSerializer"/> finds them by their attribute) (call once at start-up).</summary>
    public static EventCatalog Register(EventCatalog serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        foreach (var type in Types)
        {
            if (!serializer.IsRegistered(type))
            {
                serializer.Register(type);
            }
        }

        return serializer;
    }

    /// <summary>The tags to store with <paramref name="event"/>: <c>audit</c> and its domain, or none for non-audit events (applied by <see cref="AuditTagger"/>).</summary>
    public static IReadOnlyList<string> TagsFor(object @event) =>
        @event is IAuditEvent audit ? [Tag, audit.Domain] : [];

    /// <summary>Maps a worker name to the domain tag of what it does.</summary>
    public static string DomainOfWorker(string worker) => worker switch
    {
        WorkerNames.Railway => Domains.Railway,
        WorkerNames.GitHub => Domains.GitHub,
        WorkerNames.N8n or WorkerNames.Fallback => Domains.N8n,
        WorkerNames.Alerts => Domains.Alerts,
        WorkerNames.Health => Domains.Incident,
        WorkerNames.Readiness => Domains.GitHub,
        _ => Domains.Autopilot,
    };
}

/// <summary>The orchestrator took in an observation (worker report, external event or poll).</summary>
/// <param name="Source">Where it came from (worker name or external source).</param>
/// <param name="Kind">What kind of observation (e.g. <c>deployment-status</c>, <c>checks-completed</c>).</param>
/// <param name="Summary">One line, redacted.</param>
/// <param name="Service">Service concerned, if any.</param>
/// <param name="DeploymentId">Deployment concerned, if any.</param>
/// <param name="Commit">Commit concerned, if any.</param>
/// <param name="At">When.</param>
/// <param name="Status">The observed state in the platform's words (e.g. a Railway status, <c>passed</c>/<c>failed</c> for checks), if any.</param>
/// <param name="Purpose">Why a deployment was being watched (deploy, rollback, restart, observed), if it was; absent in older records.</param>
[EventManifest("autopilot.observed", Version = 1)]
public sealed record Observed(
    string Source, string Kind, string Summary, string? Service, string? DeploymentId, string? Commit, DateTimeOffset At, string? Status = null, string? Purpose = null)
    : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.DomainOfWorker(Source);
}

/// <summary>The orchestrator classified an observation into a situation of the policy table.</summary>
/// <param name="Service">Service concerned.</param>
/// <param name="Situation">The policy state, e.g. <c>deployment-failed</c>, <c>crashed-out-of-memory</c>.</param>
/// <param name="Evidence">Why (e.g. the matching log line), redacted.</param>
/// <param name="DeploymentId">Deployment concerned, if any.</param>
/// <param name="Commit">Commit concerned, if any.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.oriented", Version = 1)]
public sealed record Oriented(string Service, string Situation, string Evidence, string? DeploymentId, string? Commit, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Incident;
}

/// <summary>The orchestrator chose actions for a situation.</summary>
/// <param name="Service">Service concerned.</param>
/// <param name="Situation">The policy state.</param>
/// <param name="Actions">Chosen actions in policy order (may be empty).</param>
/// <param name="Reason">Why these (policy rule, budget, pause, dry-run).</param>
/// <param name="DryRun">True when nothing will be executed.</param>
/// <param name="DeploymentId">Deployment concerned, if any.</param>
/// <param name="Commit">Commit concerned, if any.</param>
/// <param name="At">When.</param>
/// <param name="Confidence">
/// How certain the decision is, 0–100, computed from its evidence by <see cref="Policy.ConfidenceRules"/>: at or above
/// an action's act threshold it is carried out, in the review band a human is asked (<see cref="ApprovalRequested"/>),
/// below it is recorded only. Null in records written before confidence existed; still schema v1 (an optional trailing
/// member that older JSON lacks reads as null, and older readers ignore it).
/// </param>
[EventManifest("autopilot.decided", Version = 1)]
public sealed record Decided(
    string Service, string Situation, IReadOnlyList<string> Actions, string Reason, bool DryRun, string? DeploymentId, string? Commit, DateTimeOffset At,
    int? Confidence = null) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Incident;
}

/// <summary>
/// Recorded BEFORE a side effect is attempted, so that after a crash the orchestrator knows an action may have
/// happened and asks the platform instead of repeating it.
/// </summary>
/// <param name="ActionId">Identity; the matching <see cref="ActionCompleted"/>/<see cref="ActionFailed"/> carries it.</param>
/// <param name="Worker">The worker that performs it.</param>
/// <param name="Action">The action name from the policy table (e.g. <c>rollback</c>).</param>
/// <param name="Service">Service concerned.</param>
/// <param name="Parameters">Action parameters, redacted.</param>
/// <param name="DeploymentId">Deployment concerned, if any.</param>
/// <param name="Commit">Commit concerned, if any.</param>
/// <param name="At">When.</param>
/// <param name="FencingToken">
/// The fencing token of the lease the orchestrator held when it recorded the request (<see cref="Fencing.FenceCheck.Token"/>),
/// so the audit trail shows which leader asked for each side effect; null on a single node and in records written
/// before fencing existed. Still schema v1: an optional trailing member that older JSON lacks reads as null (the
/// serializer binds missing constructor parameters to their defaults), and older readers ignore it.
/// </param>
[EventManifest("autopilot.action_requested", Version = 1)]
public sealed record ActionRequested(
    string ActionId, string Worker, string Action, string Service, IReadOnlyDictionary<string, string> Parameters, string? DeploymentId, string? Commit, DateTimeOffset At,
    long? FencingToken = null)
    : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.DomainOfWorker(Worker);
}

/// <summary>An action achieved its goal.</summary>
/// <param name="ActionId">The <see cref="ActionRequested.ActionId"/>.</param>
/// <param name="Detail">What happened, redacted.</param>
/// <param name="Worker">The worker that performed it.</param>
/// <param name="Service">Service concerned.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.action_completed", Version = 1)]
public sealed record ActionCompleted(string ActionId, string Detail, string Worker, string Service, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.DomainOfWorker(Worker);
}

/// <summary>An action failed (including: its worker was restarted while it was in flight).</summary>
/// <param name="ActionId">The <see cref="ActionRequested.ActionId"/>.</param>
/// <param name="Error">Why, redacted.</param>
/// <param name="Worker">The worker that performed it.</param>
/// <param name="Service">Service concerned.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.action_failed", Version = 1)]
public sealed record ActionFailed(string ActionId, string Error, string Worker, string Service, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.DomainOfWorker(Worker);
}

/// <summary>An alert reached (or was recorded for) humans.</summary>
/// <param name="Severity">Severity.</param>
/// <param name="Title">Title.</param>
/// <param name="Fingerprint">Incident kind.</param>
/// <param name="Channels">Where it went (journal, telegram, github).</param>
/// <param name="Service">Service, if any.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.alert_sent", Version = 1)]
public sealed record AlertSent(AlertSeverity Severity, string Title, string Fingerprint, IReadOnlyList<string> Channels, string? Service, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Alerts;
}

/// <summary>A new incident was opened.</summary>
/// <param name="IncidentId">Identity.</param>
/// <param name="Service">Service.</param>
/// <param name="Fingerprint">Incident kind (deduplication key).</param>
/// <param name="Title">Summary.</param>
/// <param name="DeploymentId">Deployment, if any.</param>
/// <param name="Commit">Commit, if any.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.incident_opened", Version = 1)]
public sealed record IncidentOpened(string IncidentId, string Service, string Fingerprint, string Title, string? DeploymentId, string? Commit, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Incident;
}

/// <summary>An incident changed: repeated, acknowledged, linked to an issue, resolved.</summary>
/// <param name="IncidentId">Identity.</param>
/// <param name="Change"><c>repeated</c>, <c>acknowledged</c>, <c>issue-linked</c> or <c>resolved</c>.</param>
/// <param name="Detail">Free text (who acknowledged, issue number…).</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.incident_updated", Version = 1)]
public sealed record IncidentUpdated(string IncidentId, string Change, string Detail, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Incident;
}

/// <summary>An n8n workflow execution failed (also sent by the n8n worker as a <see cref="WorkerReport"/> observation).</summary>
/// <param name="WorkflowId">Workflow.</param>
/// <param name="ExecutionId">The failed execution.</param>
/// <param name="Error">Error text, redacted.</param>
/// <param name="At">When.</param>
/// <param name="WorkflowName">Name, when known.</param>
/// <param name="RetryOf">
/// The execution this one retried (n8n's <c>retryOf</c>), when it is a retry: a failed retry is the same failure as the
/// execution it retried, not a new one (schema v2; v1 events have none).
/// </param>
[EventManifest("autopilot.n8n_failure_detected", Version = 2)]
public sealed record N8nFailureDetected(string WorkflowId, string ExecutionId, string Error, DateTimeOffset At, string? WorkflowName = null, string? RetryOf = null) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.N8n;
}

/// <summary>The n8n worker tried to recover a workflow (retry, fallback).</summary>
/// <param name="WorkflowId">Workflow.</param>
/// <param name="ExecutionId">Execution being recovered.</param>
/// <param name="Strategy">What was tried (<c>retry</c>, <c>fallback</c>…).</param>
/// <param name="Success">Whether it worked.</param>
/// <param name="Detail">Details, redacted.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.n8n_recovery_attempted", Version = 1)]
public sealed record N8nRecoveryAttempted(string WorkflowId, string ExecutionId, string Strategy, bool Success, string Detail, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.N8n;
}

/// <summary>Something security-relevant happened (bad webhook signature, rejected token, replayed delivery).</summary>
/// <param name="Kind">Short kind, e.g. <c>webhook-signature-invalid</c>.</param>
/// <param name="Source">Where (platform, endpoint).</param>
/// <param name="Detail">Details, never containing secrets.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.security_event_recorded", Version = 1)]
public sealed record SecurityEventRecorded(string Kind, string Source, string Detail, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Security;
}

/// <summary>A verified external event was accepted by the orchestrator.</summary>
/// <param name="Source">github, railway, n8n.</param>
/// <param name="EventType">Platform event name.</param>
/// <param name="DeliveryId">Platform delivery id.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.external_event_received", Version = 1)]
public sealed record ExternalEventReceived(string Source, string EventType, string DeliveryId, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.DomainOfWorker(Source);
}

/// <summary>The autopilot's own mode changed: paused, resumed, dry-run on/off, budget exhausted for a service.</summary>
/// <param name="Change"><c>paused</c>, <c>resumed</c>, <c>dry-run-on</c>, <c>dry-run-off</c>, <c>budget-exhausted</c>.</param>
/// <param name="By">Who or what caused it.</param>
/// <param name="At">When.</param>
/// <param name="Service">The service, for per-service changes.</param>
[EventManifest("autopilot.mode_changed", Version = 1)]
public sealed record AutopilotModeChanged(string Change, string By, DateTimeOffset At, string? Service = null) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Autopilot;
}

/// <summary>v1 → v2 of <see cref="N8nFailureDetected"/>: v2 adds <see cref="N8nFailureDetected.RetryOf"/>, unknown (null) for v1 events.</summary>
public sealed class N8nFailureDetectedV1 : IEventUpcaster
{
    /// <inheritdoc />
    public string Manifest => "autopilot.n8n_failure_detected";

    /// <inheritdoc />
    public int FromVersion => 1;

    /// <inheritdoc />
    public JsonNode Upcast(JsonNode json)
    {
        json.AsObject()["retryOf"] = null;
        return json;
    }
}
