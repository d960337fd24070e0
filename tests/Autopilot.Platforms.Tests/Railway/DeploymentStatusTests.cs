using System.Text.Json;
using Autopilot.Platforms.Railway;
using GraphQL.Types;
using Xunit;

namespace Autopilot.Platforms.Tests.Railway;

public sealed class DeploymentStatusTests
{
    [Fact]
    public void Every_status_in_the_published_schema_maps_to_a_named_member_and_back()
    {
        var wireNames = ((EnumerationGraphType)PublishedRailwaySchema.Schema.AllTypes["DeploymentStatus"]!).Values.Select(v => v.Name).ToHashSet();

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
        var wireNames = ((EnumerationGraphType)PublishedRailwaySchema.Schema.AllTypes["MetricMeasurement"]!).Values.Select(v => v.Name).ToHashSet();

        foreach (var measurement in Enum.GetValues<RailwayMetricMeasurement>().Where(m => m != RailwayMetricMeasurement.Unknown))
            Assert.Contains(JsonSerializer.Serialize(measurement).Trim('"'), wireNames);
    }
}
