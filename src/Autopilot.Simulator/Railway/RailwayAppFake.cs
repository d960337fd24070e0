using System.Text.Json.Nodes;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Simulator.Railway;

/// <summary>
/// The application a service on the <see cref="RailwayFake"/> serves on its public domain, reduced to its health
/// endpoint: <c>GET /healthz</c> answers 200 while one of the service's deployments is <c>SUCCESS</c> (Railway keeps the
/// last good deployment running through a failed build) and 503 when none is (crashed, removed, never deployed). It is
/// a server of its own, so the health worker's probes never mix with the GraphQL calls the Railway fake records.
/// </summary>
public sealed class RailwayAppFake : FakeServer
{
    /// <summary>Path of the health endpoint.</summary>
    public const string HealthPath = "/healthz";

    private readonly RailwayFake _railway;
    private readonly string _serviceId;

    /// <summary>The app of service <paramref name="serviceId"/> deployed on <paramref name="railway"/>.</summary>
    public RailwayAppFake(TimeProvider timeProvider, RailwayFake railway, string serviceId) : base(timeProvider)
    {
        ArgumentNullException.ThrowIfNull(railway);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        _railway = railway;
        _serviceId = serviceId;
    }

    /// <summary>The URL of the health endpoint.</summary>
    public Uri HealthUrl => new(BaseAddress, HealthPath.TrimStart('/'));

    /// <inheritdoc />
    protected override void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapGet(HealthPath, AnswerAsync);

    private async Task AnswerAsync(HttpContext context)
    {
        var running = _railway.Deployments.LastOrDefault(d => d.ServiceId == _serviceId && d.Status == DeploymentStatus.Success && !d.Stopped);
        context.Response.StatusCode = running is null ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync((running is null
            ? new JsonObject { ["status"] = "down", ["reason"] = "no deployment of the service is running" }
            : new JsonObject { ["status"] = "ok", ["commit"] = running.CommitHash }).ToJsonString());
    }
}
