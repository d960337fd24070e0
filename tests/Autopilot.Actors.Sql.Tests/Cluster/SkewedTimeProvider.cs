namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>The system clock moved by a fixed offset (a node whose wall clock is wrong); timers and timestamps are untouched.</summary>
public sealed class SkewedTimeProvider(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}
