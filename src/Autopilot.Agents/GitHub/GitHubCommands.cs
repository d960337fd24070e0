using Autopilot.Agents.Protocol;
using Autopilot.Platforms.GitHub;

namespace Autopilot.Agents.GitHub;

/// <summary>
/// Open the incident issue of <paramref name="Fingerprint"/>, or — when one is already open — comment on it, so a repeated
/// failure of the same kind never opens a second issue. Detail of the result names the issue (<c>#n</c>).
/// </summary>
/// <param name="ActionId">Action id.</param>
/// <param name="Repository">Repository for the issue; null for the configured incident repository.</param>
/// <param name="Fingerprint">Incident kind.</param>
/// <param name="Title">Issue title.</param>
/// <param name="Body">Issue body or comment (redacted).</param>
public sealed record OpenIncidentIssue(string ActionId, GitHubRepository? Repository, string Fingerprint, string Title, string Body) : IWorkerCommand;

/// <summary>
/// Comment on a commit (the readiness gate's NO-GO names the failed checks there). Detail of the result links the comment.
/// Not repeated after a crash (a second comment would be noise): an unanswered request is closed as outcome unknown.
/// </summary>
/// <param name="ActionId">Action id.</param>
/// <param name="Repository">The commit's repository; null fails the action (the service has none).</param>
/// <param name="Sha">The commit.</param>
/// <param name="Body">The comment (redacted).</param>
public sealed record CommentOnCommit(string ActionId, GitHubRepository? Repository, string Sha, string Body) : IWorkerCommand;

/// <summary>Trigger a <c>workflow_dispatch</c>.</summary>
public sealed record DispatchWorkflow(string ActionId, GitHubRepository Repository, string WorkflowId, string Ref, IReadOnlyDictionary<string, string> Inputs) : IWorkerCommand;

/// <summary>Observe step: look at the head commit of every watched branch and report pushes and finished checks.</summary>
public sealed record PollCommits
{
    /// <summary>The single instance.</summary>
    public static PollCommits Instance { get; } = new();
}

/// <summary>How incident issues are found again: a short label derived from the fingerprint plus an exact marker in the body.</summary>
public static class IncidentFingerprints
{
    /// <summary>The label (GitHub limits labels to 50 characters, so the fingerprint is hashed).</summary>
    public static string Label(string fingerprint) =>
        "autopilot-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(fingerprint)))[..12].ToLowerInvariant();

    /// <summary>The marker placed in the issue body.</summary>
    public static string Marker(string fingerprint) => $"<!-- autopilot-fingerprint: {fingerprint} -->";

    /// <summary>
    /// The hidden marker of the action that wrote an issue or comment: a request sent again after a crash finds it and
    /// does not write a second time.
    /// </summary>
    public static string ActionMarker(string actionId) => $"<!-- autopilot-action: {actionId} -->";
}
