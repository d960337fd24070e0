using System.Text.Json.Serialization;

namespace Autopilot.Platforms.Railway;

/// <summary>The <c>MetricMeasurement</c> values the autopilot reads; others read as <see cref="Unknown"/>.</summary>
[JsonConverter(typeof(RailwayEnumConverter<RailwayMetricMeasurement>))]
public enum RailwayMetricMeasurement
{
    /// <summary>A measurement this client does not model.</summary>
    Unknown = 0,

    /// <summary>CPU in vCPUs.</summary>
    CpuUsage,

    /// <summary>CPU limit in vCPUs.</summary>
    CpuLimit,

    /// <summary>Memory in GB.</summary>
    MemoryUsageGb,

    /// <summary>Memory limit in GB.</summary>
    MemoryLimitGb,

    /// <summary>Network received, GB.</summary>
    NetworkRxGb,

    /// <summary>Network sent, GB.</summary>
    NetworkTxGb,

    /// <summary>Volume disk usage, GB.</summary>
    DiskUsageGb,

    /// <summary>Ephemeral disk usage, GB.</summary>
    EphemeralDiskUsageGb,
}
