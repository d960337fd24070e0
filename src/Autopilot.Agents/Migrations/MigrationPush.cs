using System.Text.Json;
using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Migrations;

/// <summary>Reads a GitHub <c>push</c> webhook for the migration targets it concerns: their repository, their branch, a changed path in their folder.</summary>
public static class MigrationPush
{
    /// <summary>The targets <paramref name="push"/> touches and the commit pushed; empty for any other event.</summary>
    public static (IReadOnlyList<MigrationTarget> Targets, string? Commit) Touched(ExternalEvent push, IEnumerable<MigrationTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(push);
        ArgumentNullException.ThrowIfNull(targets);
        var commit = push.Text("after");
        var branch = push.Text("ref") is { } reference && reference.StartsWith("refs/heads/", StringComparison.Ordinal) ? reference["refs/heads/".Length..] : null;
        var repository = push.Text("repository", "full_name");
        if (push.Source != ExternalEventSources.GitHub || push.EventType != "push" || commit is null || branch is null || repository is null
            || commit.Trim('0').Length == 0) // a deleted branch
        {
            return ([], null);
        }

        var paths = ChangedPaths(push.Payload);
        var touched = targets.Where(t => string.Equals(t.Repository.ToString(), repository, StringComparison.OrdinalIgnoreCase) && t.Branch == branch
                                         && paths.Any(t.Touches)).ToArray();
        return (touched, touched.Length == 0 ? null : commit);
    }

    private static IReadOnlyList<string> ChangedPaths(JsonElement payload)
    {
        var paths = new List<string>();
        if (payload.ValueKind != JsonValueKind.Object || !payload.TryGetProperty("commits", out var commits) || commits.ValueKind != JsonValueKind.Array)
        {
            return paths;
        }

        foreach (var commit in commits.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.Object))
        {
            foreach (var list in new[] { "added", "modified", "removed" })
            {
                if (commit.TryGetProperty(list, out var files) && files.ValueKind == JsonValueKind.Array)
                {
                    paths.AddRange(files.EnumerateArray().Where(f => f.ValueKind == JsonValueKind.String).Select(f => f.GetString()!));
                }
            }
        }

        return paths;
    }
}
