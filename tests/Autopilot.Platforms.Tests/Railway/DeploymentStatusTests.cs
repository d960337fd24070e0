using System.Text.Json;
using Autopilot.Platforms.Railway;
using Xunit;

namespace Autopilot.Platforms.Tests.Railway;

public sealed class DeploymentStatusTests
{
    [Fact]
    public void Every_status_in_the_published_schema_maps_to_a_named_member_and_back()
    {
        var schema = new RailwayIntrospectionSchema(RailwayIntrospectionSchema.DefaultPath());
        var wireNames = schema.Types["DeploymentStatus"].EnumValues;

        Assert.Equal(13, wireNames.Count);
        foreach (var name in wireNames)
        {
            var status = JsonSerializer.Deserialize<DeploymentStatus>($"\"{name}\"");
            Assert.NotEqual(DeploymentStatus.Unknown, status);
            Assert.Equal($"\"{name}\"", JsonSerializer.Serialize(status));
        }
        Assert.Equal(wireNames.Count, Enum.GetValues<DeploymentStatus>().Length - 1);
    }

    [Fact]
    public void A_status_the_server_adds_later_reads_as_unknown_instead_of_failing()
    {
        var status = JsonSerializer.Deserialize<DeploymentStatus>("\"HIBERNATING\"");

        Assert.Equal(DeploymentStatus.Unknown, status);
        Assert.False(status.IsHealthy());
        Assert.False(status.IsBroken());
        Assert.False(status.IsInProgress());
    }

    [Fact]
    public void Unknown_cannot_be_sent_to_the_server()
    {
        Assert.Throws<ArgumentException>(() => JsonSerializer.Serialize(DeploymentStatus.Unknown));
    }

    [Fact]
    public void Every_modeled_metric_measurement_exists_in_the_schema()
    {
        var schema = new RailwayIntrospectionSchema(RailwayIntrospectionSchema.DefaultPath());
        var wireNames = schema.Types["MetricMeasurement"].EnumValues;

        foreach (var measurement in Enum.GetValues<RailwayMetricMeasurement>().Where(m => m != RailwayMetricMeasurement.Unknown))
            Assert.Contains(JsonSerializer.Serialize(measurement).Trim('"'), wireNames);
    }
}
