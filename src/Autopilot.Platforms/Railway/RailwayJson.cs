using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Autopilot.Platforms.Railway;

/// <summary>Reads Railway's JSON shapes into the client's records.</summary>
internal static partial class RailwayJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private static readonly RailwayEnumConverter<DeploymentStatus> StatusNames = new();
    private static readonly RailwayEnumConverter<RailwayMetricMeasurement> MeasurementNames = new();

    public static string WireName(DeploymentStatus status) => StatusNames.WireName(status);

    public static string WireName(RailwayMetricMeasurement measurement) => MeasurementNames.WireName(measurement);

    public static RailwayDeployment ReadDeployment(JsonElement node) => new(
        Id: node.GetProperty("id").GetString()!,
        Status: StatusNames.FromWireName(node.GetProperty("status").GetString()),
        ProjectId: node.GetProperty("projectId").GetString()!,
        EnvironmentId: node.GetProperty("environmentId").GetString()!,
        ServiceId: OptionalString(node, "serviceId"),
        CreatedAt: node.GetProperty("createdAt").GetDateTimeOffset(),
        UpdatedAt: node.GetProperty("updatedAt").GetDateTimeOffset(),
        StatusUpdatedAt: node.TryGetProperty("statusUpdatedAt", out var s) && s.ValueKind == JsonValueKind.String ? s.GetDateTimeOffset() : null,
        CommitHash: node.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object ? OptionalString(meta, "commitHash") : null,
        Url: OptionalString(node, "url"),
        StaticUrl: OptionalString(node, "staticUrl"),
        CanRedeploy: node.GetProperty("canRedeploy").GetBoolean(),
        CanRollback: node.GetProperty("canRollback").GetBoolean());

    public static RailwayLogLine ReadLogLine(JsonElement node) => new(
        Timestamp: ParseTimestamp(node.GetProperty("timestamp").GetString()!),
        Message: node.GetProperty("message").GetString() ?? "",
        Severity: OptionalString(node, "severity"),
        Attributes: node.TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Array
            ? attributes.EnumerateArray().GroupBy(a => a.GetProperty("key").GetString()!)
                .ToDictionary(g => g.Key, g => g.Last().GetProperty("value").GetString() ?? "")
            : new Dictionary<string, string>());

    public static RailwayMetricSeries ReadMetricSeries(JsonElement node)
    {
        var tags = node.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Object ? t : default;
        return new RailwayMetricSeries(
            MeasurementNames.FromWireName(node.GetProperty("measurement").GetString()),
            tags.ValueKind == JsonValueKind.Object ? OptionalString(tags, "serviceId") : null,
            tags.ValueKind == JsonValueKind.Object ? OptionalString(tags, "environmentId") : null,
            tags.ValueKind == JsonValueKind.Object ? OptionalString(tags, "deploymentId") : null,
            node.GetProperty("values").EnumerateArray()
                .Select(v => new RailwayMetricSample(DateTimeOffset.FromUnixTimeSeconds(v.GetProperty("ts").GetInt64()), v.GetProperty("value").GetDouble()))
                .OrderBy(sample => sample.At)
                .ToArray());
    }

    /// <summary>
    /// Railway log timestamps are RFC 3339 with up to nanosecond precision; .NET keeps 100 ns ticks, so extra
    /// digits are dropped before parsing.
    /// </summary>
    /// <summary>A <c>DateTime</c> variable as Railway expects it: UTC, ISO 8601, with <c>Z</c>.</summary>
    public static string? UtcDateTime(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTimestamp(string text)
    {
        var trimmed = ExcessFraction().Replace(text, m => m.Groups[1].Value);
        return DateTimeOffset.Parse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    private static string? OptionalString(JsonElement node, string property) =>
        node.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"(\.\d{7})\d+")]
    private static partial Regex ExcessFraction();
}
