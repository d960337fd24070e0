using System.Text.Json;
using System.Text.Json.Serialization;

namespace Autopilot.Platforms.GitHub;

/// <summary>Reads GitHub's JSON shapes into the client's records.</summary>
internal static class GitHubJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static GitHubIssue Issue(JsonElement node) => new(
        node.GetProperty("id").GetInt64(),
        node.GetProperty("number").GetInt32(),
        node.GetProperty("title").GetString()!,
        node.GetProperty("state").GetString()!,
        OptionalString(node, "body"),
        node.GetProperty("labels").EnumerateArray()
            .Select(l => l.ValueKind == JsonValueKind.String ? l.GetString()! : l.GetProperty("name").GetString()!)
            .ToArray(),
        node.GetProperty("html_url").GetString()!);

    public static GitHubComment Comment(JsonElement node) => new(
        node.GetProperty("id").GetInt64(),
        OptionalString(node, "body") ?? "",
        node.GetProperty("html_url").GetString()!);

    public static GitHubCommit Commit(JsonElement node)
    {
        var commit = node.GetProperty("commit");
        var author = commit.TryGetProperty("author", out var a) && a.ValueKind == JsonValueKind.Object ? a : default;
        return new GitHubCommit(
            node.GetProperty("sha").GetString()!,
            commit.GetProperty("message").GetString()!,
            author.ValueKind == JsonValueKind.Object ? OptionalString(author, "name") : null,
            author.ValueKind == JsonValueKind.Object && author.TryGetProperty("date", out var date) && date.ValueKind == JsonValueKind.String
                ? date.GetDateTimeOffset()
                : null,
            node.GetProperty("html_url").GetString()!);
    }

    public static GitHubWorkflowRun WorkflowRun(JsonElement node) => new(
        node.GetProperty("id").GetInt64(),
        OptionalString(node, "name"),
        node.GetProperty("head_sha").GetString()!,
        OptionalString(node, "head_branch"),
        node.GetProperty("event").GetString()!,
        OptionalString(node, "status"),
        OptionalString(node, "conclusion"),
        node.GetProperty("workflow_id").GetInt64(),
        node.GetProperty("html_url").GetString()!,
        node.GetProperty("created_at").GetDateTimeOffset());

    public static GitHubPullRequest PullRequest(JsonElement node) => new(
        node.GetProperty("id").GetInt64(),
        node.GetProperty("number").GetInt32(),
        node.GetProperty("state").GetString()!,
        node.GetProperty("title").GetString()!,
        node.GetProperty("head").GetProperty("sha").GetString()!,
        node.GetProperty("head").GetProperty("ref").GetString()!,
        node.GetProperty("base").GetProperty("ref").GetString()!,
        node.TryGetProperty("merged", out var merged) && merged.ValueKind == JsonValueKind.True,
        node.TryGetProperty("mergeable", out var mergeable) && mergeable.ValueKind is JsonValueKind.True or JsonValueKind.False ? mergeable.GetBoolean() : null,
        node.GetProperty("html_url").GetString()!);

    public static GitHubMergeResult MergeResult(JsonElement node) => new(
        node.GetProperty("sha").GetString()!,
        node.GetProperty("merged").GetBoolean(),
        node.GetProperty("message").GetString()!);

    private static string? OptionalString(JsonElement node, string property) =>
        node.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
