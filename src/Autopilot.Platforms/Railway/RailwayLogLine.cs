namespace Autopilot.Platforms.Railway;

/// <summary>A build or runtime log line.</summary>
/// <param name="Timestamp">When it was emitted.</param>
/// <param name="Message">The text.</param>
/// <param name="Severity">Railway's severity ("info", "error", …); null when the line carried none.</param>
/// <param name="Attributes">Structured-log attributes, if the line was structured.</param>
public sealed record RailwayLogLine(
    DateTimeOffset Timestamp,
    string Message,
    string? Severity,
    IReadOnlyDictionary<string, string> Attributes);

/// <summary>Narrows a log read (Railway: limit defaults to 100, max 5000; an empty filter matches everything).</summary>
public sealed record LogQuery
{
    /// <summary>Maximum number of lines.</summary>
    public int? Limit { get; init; }

    /// <summary>Railway's filter expression / substring.</summary>
    public string? Filter { get; init; }

    /// <summary>Only lines at or after this instant.</summary>
    public DateTimeOffset? StartDate { get; init; }

    /// <summary>Only lines at or before this instant.</summary>
    public DateTimeOffset? EndDate { get; init; }
}
