namespace Autopilot.Agents.Protocol;

/// <summary>
/// Keys of <see cref="ActionRequested.Parameters"/> beyond the situation's own details: everything a worker command is
/// rebuilt from, so a request recorded before a crash can be sent again from the journal alone.
/// </summary>
public static class ActionParameters
{
    /// <summary>Incident fingerprint of an issue or alert.</summary>
    public const string Fingerprint = "fingerprint";

    /// <summary>Title of an issue or alert.</summary>
    public const string Title = "title";

    /// <summary>Body of an issue or alert (redacted when it was built).</summary>
    public const string Body = "body";

    /// <summary>Severity of an alert (<see cref="AlertSeverity"/> name).</summary>
    public const string Severity = "severity";

    /// <summary>Comma-separated health targets a dependency check probes.</summary>
    public const string Dependencies = "dependencies";

    /// <summary>Health target a redeploy concerns.</summary>
    public const string Target = "target";

    /// <summary>n8n workflow id of a recovery.</summary>
    public const string WorkflowId = "workflowId";

    /// <summary>n8n execution id of a recovery.</summary>
    public const string ExecutionId = "executionId";

    /// <summary>The approval an approval message or answer concerns.</summary>
    public const string ApprovalId = "approvalId";

    /// <summary>Telegram <c>callback_query</c> id to answer (answerCallbackQuery).</summary>
    public const string CallbackQueryId = "callbackQueryId";

    /// <summary>The short answer shown to the user who pressed the button.</summary>
    public const string CallbackText = "callbackText";

    /// <summary>A Telegram message, <c>chat:message_id</c>, to edit.</summary>
    public const string MessageRef = "messageRef";

    /// <summary>The prefix of an approval message's <see cref="WorkerResult.Detail"/>, followed by its <c>chat:message_id</c>.</summary>
    public const string SentAsPrefix = "sent as Telegram message ";

    /// <summary>The <c>chat:message_id</c> in a <see cref="WorkerResult.Detail"/> starting with <see cref="SentAsPrefix"/>, or null.</summary>
    public static string? MessageRefIn(string? detail) =>
        detail is not null && detail.StartsWith(SentAsPrefix, StringComparison.Ordinal) ? detail[SentAsPrefix.Length..] : null;

    /// <summary>The target database of a <c>migrate</c> action.</summary>
    public const string MigrationTarget = "migrationTarget";

    /// <summary>"true" on a <c>migrate</c> action that only reports its plan (<c>autopilot migrate --dry-run</c>).</summary>
    public const string MigrationDryRun = "dryRun";

    /// <summary>The destructive statements of a migration (one per line); a migration with any waits for a human's approval.</summary>
    public const string Destructive = "destructive";

    /// <summary>Why the readiness gate runs: <see cref="ReadinessPurposes.Deploy"/> or <see cref="ReadinessPurposes.OnDemand"/>.</summary>
    public const string Purpose = "purpose";

    /// <summary>The service's last good deployment when the readiness gate was asked (its rollback plan); empty when none.</summary>
    public const string LastGoodDeployment = "lastGoodDeployment";

    /// <summary>The operator task an action was requested for (see <see cref="RunTaskAction"/>), absent for the autopilot's own actions.</summary>
    public const string TaskId = "taskId";
}

/// <summary>Values of <see cref="ActionParameters.Purpose"/> of an <c>assess-readiness</c> action.</summary>
public static class ReadinessPurposes
{
    /// <summary>Before deploying a green commit on the autopilot's own decision: the decision follows from the assessment.</summary>
    public const string Deploy = "deploy";

    /// <summary>Asked by an operator (<see cref="AssessReadiness"/>): recorded and answered, nothing follows.</summary>
    public const string OnDemand = "on-demand";
}
