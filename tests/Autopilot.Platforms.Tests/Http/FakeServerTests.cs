using Autopilot.Platforms.Tests.Support;
using Xunit;
using System.Net;
using System.Text;
using Autopilot.Simulator.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Builder;

namespace Autopilot.Platforms.Tests.Http;

public sealed class FakeServerTests
{
    private sealed class EchoFake(TimeProvider time) : FakeServer(time)
    {
        protected override void MapEndpoints(IEndpointRouteBuilder endpoints) =>
            endpoints.MapPost("/echo", async context =>
            {
                var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
                context.Response.StatusCode = 201;
                context.Response.Headers["x-echo"] = "yes";
                await context.Response.WriteAsync(body.ToUpperInvariant());
            });
    }

    [Fact]
    public async Task Serves_real_http_on_a_loopback_port_and_records_the_exchange()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var fake = new EchoFake(clock);
        await fake.StartAsync();
        using var http = new HttpClient { BaseAddress = fake.BaseAddress };

        var response = await http.PostAsync("echo?x=1", new StringContent("hello", Encoding.UTF8, "text/plain"));

        Assert.Equal("127.0.0.1", fake.BaseAddress.Host);
        Assert.NotEqual(0, fake.BaseAddress.Port);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("HELLO", await response.Content.ReadAsStringAsync());
        var exchange = Assert.Single(fake.Exchanges);
        Assert.Equal(("POST", "/echo", "?x=1", "hello", 201, "HELLO", "yes"),
            (exchange.Method, exchange.Path, exchange.Query, exchange.RequestBody, exchange.StatusCode, exchange.ResponseBody, exchange.ResponseHeaders["x-echo"]));
        Assert.Equal(clock.GetUtcNow(), exchange.ReceivedAt);
    }

    [Fact]
    public async Task Base_address_is_unavailable_before_start()
    {
        await using var fake = new EchoFake(new ObservableFakeTimeProvider());

        Assert.Throws<InvalidOperationException>(() => fake.BaseAddress);
    }
}
