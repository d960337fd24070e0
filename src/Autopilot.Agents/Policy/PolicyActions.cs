namespace Autopilot.Agents.Policy;

/// <summary>The actions a policy rule may name. Mutating actions change production and count against the budget.</summary>
public static class PolicyActions
{
    /// <summary>Deploy the commit that passed its checks.</summary>
    public const string Deploy = "deploy";

    /// <summary>Roll the service back to its last good deployment and watch the rollback.</summary>
    public const string Rollback = "rollback";

    /// <summary>Restart the crashed deployment once.</summary>
    public const string Restart = "restart";

    /// <summary>Redeploy the Railway service behind a failing health target and verify it (health worker).</summary>
    public const string Redeploy = "redeploy";

    /// <summary>Open (or comment on) the GitHub issue of the incident's fingerprint.</summary>
    public const string OpenIssue = "open-issue";

    /// <summary>Ask the health worker about the service's dependencies before repairing it.</summary>
    public const string CheckDependencies = "check-dependencies";

    /// <summary>Ask the n8n worker to recover the failed execution (retry, then its fallback router's tiers).</summary>
    public const string RecoverWorkflow = "recover-workflow";

    /// <summary>An INFO alert (journal only).</summary>
    public const string AlertInfo = "alert-info";

    /// <summary>A WARNING alert (Telegram).</summary>
    public const string AlertWarning = "alert-warning";

    /// <summary>A CRITICAL alert (Telegram and GitHub).</summary>
    public const string AlertCritical = "alert-critical";

    /// <summary>A CRITICAL alert recommending more memory for the service.</summary>
    public const string RecommendScaleUp = "recommend-scale-up";

    /// <summary>
    /// The readiness gate's reads of a green commit before it is deployed (worker <c>readiness</c>). Not a policy-table
    /// action: the orchestrator requests it itself for every <see cref="Deploy"/> it decides, and on demand.
    /// </summary>
    public const string AssessReadiness = "assess-readiness";

    /// <summary>
    /// A comment on a commit the readiness gate judged NO-GO, naming the failed checks (worker <c>github</c>). Not a
    /// policy-table action: it follows from the gate's decision.
    /// </summary>
    public const string CommentCommit = "comment-commit";

    /// <summary>
    /// Not a policy action: the alerts worker sends an approval's Telegram message with its Approve / Reject buttons. A
    /// request unanswered at a crash is sent again (a duplicate message at worst; a missing one would leave nobody asked).
    /// </summary>
    public const string RequestApproval = "request-approval";

    /// <summary>
    /// Not a policy action: the alerts worker answers a button press (<c>answerCallbackQuery</c>) and/or edits the
    /// approval's message to show who decided or that it expired; repeating it changes nothing.
    /// </summary>
    public const string AnswerApproval = "answer-approval";

    /// <summary>
    /// Apply a target database's pending migration files (its migrations worker): backup, one transaction per file,
    /// verification, and a restore from the backup when anything fails.
    /// </summary>
    public const string Migrate = "migrate";

    /// <summary>Every action a policy rule may name.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Deploy, Rollback, Restart, Redeploy, OpenIssue, CheckDependencies, RecoverWorkflow, AlertInfo, AlertWarning, AlertCritical, RecommendScaleUp, Migrate,
    };

    /// <summary>True for actions that change production; only these count against the per-service budget.</summary>
    public static bool IsMutating(string action) => action is Deploy or Rollback or Restart or Redeploy or RecoverWorkflow or Migrate;

    /// <summary>
    /// True for actions whose receiver makes a repeat harmless (alerts are deduplicated by action id, issues by
    /// fingerprint, dependency checks and readiness assessments only read): after a crash an unanswered request of these is simply sent again.
    /// </summary>
    public static bool IsIdempotent(string action) =>
        action is OpenIssue or CheckDependencies or AssessReadiness or AlertInfo or AlertWarning or AlertCritical or RecommendScaleUp or RequestApproval or AnswerApproval;

    /// <summary>True for actions that only tell humans.</summary>
    public static bool IsAlert(string action) => action is AlertInfo or AlertWarning or AlertCritical or RecommendScaleUp;
}
