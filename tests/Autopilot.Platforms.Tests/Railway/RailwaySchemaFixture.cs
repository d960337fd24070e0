namespace Autopilot.Platforms.Tests.Railway;

/// <summary>Parses the 1.8 MB introspection dump once per test class instead of once per test.</summary>
public sealed class RailwaySchemaFixture
{
    public RailwayIntrospectionSchema Schema { get; } = new(RailwayIntrospectionSchema.DefaultPath());
}
