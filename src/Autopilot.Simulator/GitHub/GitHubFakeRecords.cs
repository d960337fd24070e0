namespace Autopilot.Simulator.GitHub;

/// <summary>Snapshot of an issue in the fake, for assertions.</summary>
public sealed record GitHubFakeIssue(int Number, string Title, string? Body, IReadOnlyList<string> Labels, string State, string? StateReason, IReadOnlyList<string> Comments);

/// <summary>A <c>workflow_dispatch</c> the fake received.</summary>
public sealed record GitHubFakeDispatch(string Repository, long WorkflowId, string Ref, IReadOnlyDictionary<string, string> Inputs);

/// <summary>Snapshot of a pull request in the fake.</summary>
public sealed record GitHubFakePullRequest(int Number, string Head, string Base, string HeadSha, bool Merged, bool Mergeable, string? MergeCommitSha);

/// <summary>A file a fake commit changes.</summary>
/// <param name="Filename">Path in the repository.</param>
/// <param name="Patch">Its unified diff (lines starting with <c>+</c> are added), or null as for a binary file.</param>
/// <param name="Status"><c>added</c>, <c>modified</c>, <c>removed</c>, … as GitHub's diff entries say.</param>
public sealed record GitHubFakeFileChange(string Filename, string? Patch, string Status = "modified");

/// <summary>A comment the fake received on a commit.</summary>
public sealed record GitHubFakeCommitComment(string Sha, string Body);
