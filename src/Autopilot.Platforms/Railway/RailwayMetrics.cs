namespace Autopilot.Platforms.Railway;

/// <summary>One sample of a metric.</summary>
public sealed record RailwayMetricSample(DateTimeOffset At, double Value);

/// <summary>A measured series, e.g. CPU of one service.</summary>
/// <param name="Measurement">What was measured.</param>
/// <param name="ServiceId">Service tag, when the series is grouped by service.</param>
/// <param name="EnvironmentId">Environment tag, when grouped by environment.</param>
/// <param name="DeploymentId">Deployment tag, when grouped by deployment.</param>
/// <param name="Samples">Samples in time order.</param>
public sealed record RailwayMetricSeries(
    RailwayMetricMeasurement Measurement,
    string? ServiceId,
    string? EnvironmentId,
    string? DeploymentId,
    IReadOnlyList<RailwayMetricSample> Samples);

/// <summary>A metrics read: which measurements over which window for which scope.</summary>
/// <param name="StartDate">Start of the window.</param>
/// <param name="Measurements">What to measure; at least one.</param>
public sealed record MetricsQuery(DateTimeOffset StartDate, IReadOnlyList<RailwayMetricMeasurement> Measurements)
{
    /// <summary>End of the window; Railway uses "now" when unset.</summary>
    public DateTimeOffset? EndDate { get; init; }

    /// <summary>Project scope.</summary>
    public string? ProjectId { get; init; }

    /// <summary>Environment scope.</summary>
    public string? EnvironmentId { get; init; }

    /// <summary>Service scope.</summary>
    public string? ServiceId { get; init; }

    /// <summary>Seconds between samples.</summary>
    public int? SampleRateSeconds { get; init; }

    /// <summary>Averaging window for CPU.</summary>
    public int? AveragingWindowSeconds { get; init; }
}

/// <summary>Sets a variable on a service (or a shared variable when <see cref="ServiceId"/> is null).</summary>
/// <param name="ProjectId">Project.</param>
/// <param name="EnvironmentId">Environment.</param>
/// <param name="ServiceId">Service, or null for a shared variable.</param>
/// <param name="Name">Variable name.</param>
/// <param name="Value">Variable value; treated as a secret: never logged or echoed in errors.</param>
/// <param name="SkipDeploys">When true, Railway does not redeploy affected services.</param>
public sealed record VariableUpsert(string ProjectId, string EnvironmentId, string? ServiceId, string Name, string Value, bool SkipDeploys = false)
{
    /// <summary>The value is deliberately left out so a logged record cannot leak it.</summary>
    public override string ToString() =>
        $"VariableUpsert {{ ProjectId = {ProjectId}, EnvironmentId = {EnvironmentId}, ServiceId = {ServiceId}, Name = {Name}, Value = [REDACTED], SkipDeploys = {SkipDeploys} }}";
}
