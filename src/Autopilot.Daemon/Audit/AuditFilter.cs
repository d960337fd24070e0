using Autopilot.Agents.Configuration;

namespace Autopilot.Daemon.Audit;

/// <summary>Criteria of <c>/api/audit</c> and the live stream; every criterion is optional and they combine with AND.</summary>
/// <param name="Since">Only events persisted at or after.</param>
/// <param name="Until">Only events persisted before.</param>
/// <param name="Phase">observe, orient, decide, act, alert, incident, security, mode.</param>
/// <param name="Result">success or failure.</param>
/// <param name="Tag">Journal tag (railway, github, n8n, alerts, incident, security, autopilot).</param>
/// <param name="Service">Service name.</param>
public sealed record AuditFilter(DateTimeOffset? Since, DateTimeOffset? Until, string? Phase, string? Result, string? Tag, string? Service)
{
    /// <summary>Phases a filter may name.</summary>
    public static readonly IReadOnlyList<string> Phases = ["observe", "orient", "decide", "act", "alert", "incident", "security", "mode", "cluster", "approval", "task"];

    /// <summary>True when <paramref name="record"/> passes every criterion.</summary>
    public bool Matches(AuditRecord record) =>
        (Since is null || record.Timestamp >= Since)
        && (Until is null || record.Timestamp < Until)
        && (Phase is null || string.Equals(record.Phase, Phase, StringComparison.OrdinalIgnoreCase))
        && (Result is null || string.Equals(record.Result, Result, StringComparison.OrdinalIgnoreCase))
        && (Tag is null || record.Tags.Contains(Tag, StringComparer.OrdinalIgnoreCase))
        && (Service is null || string.Equals(record.Service, Service, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Parses query values. Times are ISO 8601 instants or durations back from <paramref name="now"/> (<c>15m</c>,
    /// <c>2h</c>, <c>7d</c>), so <c>audit query --since 1h</c> works.
    /// </summary>
    /// <exception cref="ArgumentException">A value is not understood; the message names the parameter.</exception>
    public static AuditFilter Parse(string? since, string? until, string? phase, string? result, string? tag, string? service, DateTimeOffset now)
    {
        if (phase is not null && !Phases.Contains(phase, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"phase must be one of {string.Join(", ", Phases)} (was '{phase}').");
        }

        if (result is not null && !result.Equals("success", StringComparison.OrdinalIgnoreCase) && !result.Equals("failure", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"result must be success or failure (was '{result}').");
        }

        return new AuditFilter(Instant(since, "since", now), Instant(until, "until", now), Blank(phase), Blank(result), Blank(tag), Blank(service));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateTimeOffset? Instant(string? text, string name, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant;
        }

        // A strict duration parser (number + unit), never the HOCON parser: a query parameter must not reach
        // substitutions or includes.
        if (text.Length <= 32 && ConfigSection.TryParseDuration(text, out var back) && back >= TimeSpan.Zero && back != Timeout.InfiniteTimeSpan)
        {
            return now - back;
        }

        throw new ArgumentException($"{name} must be an ISO 8601 time or a duration such as 15m, 2h, 7d (was '{text}').");
    }
}
