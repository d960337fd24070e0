namespace Autopilot.Simulator.GitHub;

/// <summary>Snapshot of an issue in the fake, for assertions.</summary>
public sealed record GitHubFakeIssue(int Number, string Title, string? Body, IReadOnlyList<string> Labels, string State, string? StateReason, IReadOnlyList<string> Comments);

/// <summary>A <c>workflow_dispatch</c> the fake received.</summary>
public sealed record GitHubFakeDispatch(string Repository, long WorkflowId, string Ref, IReadOnlyDictionary<string, string> Inputs);

/// <summary>Snapshot of a pull request in the fake.</summary>
public sealed record GitHubFakePullRequest(int Number, string Head, string Base, string HeadSha, bool Merged, bool Mergeable, string? MergeCommitSha);
