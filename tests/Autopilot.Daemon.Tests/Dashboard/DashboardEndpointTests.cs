using System.Net;
using System.Text.Json;
using Autopilot.Agents.Health;
using Autopilot.Daemon.Dashboard;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Daemon.Tests.Dashboard;

/// <summary>
/// The dashboard's read endpoints on a daemon whose health worker is stood in for by publishing <see cref="HealthProbed"/>
/// on the event stream (what the real worker does): the records reach the journal and the uptime the API reports.
/// </summary>
public sealed class DashboardEndpointTests
{
    private const string Targets = """
        autopilot.agents.health.targets {
          web { url = "http://127.0.0.1:9/healthz", service = "web" }
          quiet { url = "http://127.0.0.1:9/quiet" }
        }
        """;

    [Fact]
    public async Task Probe_records_are_journaled_and_uptime_is_the_healthy_share_of_the_probed_time()
    {
        await using var daemon = await TestDaemon.StartAsync(extraHocon: Targets);
        var interval = TimeSpan.FromMinutes(1);
        var start = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10);
        // Ten one-minute intervals ending now: three failed.
        for (var i = 0; i < 10; i++)
        {
            var healthy = i is not (2 or 3 or 7);
            daemon.System.EventStream.Publish(new HealthProbed("web", "web", healthy, healthy ? 200 : 503, 40 + i, 42, healthy ? null : "answered 503",
                start + i * interval, interval));
        }

        await Poll.UntilAsync(() => daemon.EventsAsync(ProbeRecorder.StreamId).GetAwaiter().GetResult().Count == 10, "the ten probe records in the journal");
        JsonElement web = default;
        await Poll.UntilAsync(() =>
        {
            var report = Json(daemon.SendAsync(HttpMethod.Get, "/api/uptime", TestDaemon.ViewerToken).GetAwaiter().GetResult());
            web = report.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("target").GetString() == "web");
            return web.GetProperty("windows").GetProperty("24h").GetProperty("percent").ValueKind == JsonValueKind.Number
                && web.GetProperty("windows").GetProperty("24h").GetProperty("coveragePercent").GetDouble() > 0.6;
        }, "the probes in /api/uptime");

        foreach (var window in new[] { "24h", "7d", "30d" })
        {
            // The last probe may not have reached its full minute yet: the share is over the probed time either way,
            // so it lies between 7/10 (all ten minutes probed) and 6/9 + (the last, healthy, partly elapsed).
            var percent = web.GetProperty("windows").GetProperty(window).GetProperty("percent").GetDouble();
            Assert.InRange(percent, 66.6, 70.0);
        }

        var quiet = Json(await daemon.SendAsync(HttpMethod.Get, "/api/uptime", TestDaemon.ViewerToken)).GetProperty("targets").EnumerateArray()
            .Single(t => t.GetProperty("target").GetString() == "quiet");
        Assert.Equal(JsonValueKind.Null, quiet.GetProperty("windows").GetProperty("30d").GetProperty("percent").ValueKind);

        var cards = Json(await daemon.SendAsync(HttpMethod.Get, "/api/dashboard/services", TestDaemon.ViewerToken)).GetProperty("services").EnumerateArray().ToArray();
        var card = cards.Single(c => c.GetProperty("service").GetString() == "web");
        Assert.Equal("healthy", card.GetProperty("state").GetString());
        Assert.Equal(49, card.GetProperty("lastProbe").GetProperty("responseMs").GetDouble());
        Assert.Equal(10, card.GetProperty("trendMs").GetArrayLength());
        Assert.Equal("unknown", cards.Single(c => c.GetProperty("service").GetString() == "quiet").GetProperty("state").GetString());
    }

    [Fact]
    public async Task Probe_records_older_than_the_longest_window_are_not_kept()
    {
        await using var daemon = await TestDaemon.StartAsync(extraHocon: Targets);
        var interval = TimeSpan.FromMinutes(5);
        var old = DateTimeOffset.UtcNow - DashboardView.Retention - TimeSpan.FromDays(1);
        daemon.System.EventStream.Publish(new HealthProbed("web", "web", false, 503, 999, 42, "answered 503", old, interval));
        daemon.System.EventStream.Publish(new HealthProbed("web", "web", true, 200, 40, 42, null, DateTimeOffset.UtcNow - interval, interval));
        await Poll.UntilAsync(() => daemon.EventsAsync(ProbeRecorder.StreamId).GetAwaiter().GetResult().Count == 2, "both probe records in the journal");

        JsonElement card = default;
        await Poll.UntilAsync(() =>
        {
            var cards = Json(daemon.SendAsync(HttpMethod.Get, "/api/dashboard/services", TestDaemon.ViewerToken).GetAwaiter().GetResult());
            card = cards.GetProperty("services").EnumerateArray().Single(c => c.GetProperty("service").GetString() == "web");
            return card.GetProperty("lastProbe").ValueKind == JsonValueKind.Object;
        }, "the recent probe on the card");

        // The month-old failure is in the journal but in no window: not in the trend, not in any uptime figure.
        Assert.Equal(1, card.GetProperty("trendMs").GetArrayLength());
        Assert.Equal("healthy", card.GetProperty("state").GetString());
    }

    [Fact]
    public async Task The_page_is_served_without_a_token_but_the_data_needs_one_and_bad_parameters_are_named()
    {
        await using var daemon = await TestDaemon.StartAsync();

        foreach (var path in new[] { "/", "/dashboard" })
        {
            using var page = await daemon.SendAsync(HttpMethod.Get, path, null);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Contains("dashboard.js", await page.Content.ReadAsStringAsync());
        }

        using (var script = await daemon.SendAsync(HttpMethod.Get, "/dashboard/dashboard.js", null))
        {
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        }

        using (var anonymous = await daemon.SendAsync(HttpMethod.Get, "/api/dashboard/services", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        var me = Json(await daemon.SendAsync(HttpMethod.Get, "/api/whoami", TestDaemon.OperatorToken));
        Assert.Equal("operator", me.GetProperty("name").GetString());
        Assert.Equal("operator", me.GetProperty("role").GetString());

        using var badDays = await daemon.SendAsync(HttpMethod.Get, "/api/dashboard/summary?days=0", TestDaemon.ViewerToken);
        Assert.Equal(HttpStatusCode.BadRequest, badDays.StatusCode);
        Assert.Contains("days", await badDays.Content.ReadAsStringAsync());
        using var badHours = await daemon.SendAsync(HttpMethod.Get, "/api/dashboard/activity?hours=100000", TestDaemon.ViewerToken);
        Assert.Equal(HttpStatusCode.BadRequest, badHours.StatusCode);
        Assert.Contains("hours", await badHours.Content.ReadAsStringAsync());

        var activity = Json(await daemon.SendAsync(HttpMethod.Get, "/api/dashboard/activity?hours=24", TestDaemon.ViewerToken));
        Assert.Equal(24, activity.GetProperty("hours").GetArrayLength());
    }

    private static JsonElement Json(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.Clone();
        }
    }
}
