using System.Globalization;
using System.Net.Http.Headers;
using Autopilot.Agents.GitHub;
using Autopilot.Agents.Health;
using Autopilot.Daemon.Dashboard;
using Autopilot.Daemon.Simulation;
using Autopilot.Daemon.Tests.Fixtures;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Autopilot.Daemon.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Chromium through Playwright) against a daemon running the demo on simulated
/// platforms: what an on-call person sees after signing in, on a desktop and on a phone.
/// </summary>
public sealed class DashboardBrowserTests(DashboardBrowser browser) : IClassFixture<DashboardBrowser>
{
    private static readonly LocatorAssertionsToHaveCountOptions Slow = new() { Timeout = 90_000 };

    [Fact]
    public async Task After_sign_in_the_page_shows_the_cards_the_demo_incident_with_its_timeline_and_uptime_from_the_journal()
    {
        var page = await browser.OpenAsync();
        await Expect(page.Locator("#signin")).ToBeVisibleAsync();
        await DashboardBrowser.SignInAsync(page, TestDaemon.ViewerToken);

        // A card per watched service, its state written out (not colour alone).
        var demo = page.Locator($".card[data-service='{SimulatedPlatforms.DemoService}']");
        await Expect(demo).ToBeVisibleAsync();
        await Expect(demo.Locator(".state")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(HEALTHY|DOWN|INCIDENT|DEPLOYING|UNKNOWN)$"));
        var web = page.Locator($".card[data-service='{DashboardBrowser.Target}']");
        await Expect(web).ToBeVisibleAsync();

        // The demo's failed build became an incident with its story and its GitHub issue; the page follows it live.
        var incident = page.Locator($".incident:has-text('{SimulatedPlatforms.DemoService}')").First;
        await Expect(incident.Locator("a.issue")).ToHaveCountAsync(1, Slow);
        // The CRITICAL alert's issue, found by the fingerprint label the alert channel puts on it.
        Assert.Equal($"https://github.com/autopilot-demo/demo-api/issues?q=is%3Aissue+label%3A{IncidentFingerprints.Label("demo-api:build-failed")}",
            await incident.Locator("a.issue").GetAttributeAsync("href"));
        foreach (var stage in new[] { "observe", "decide", "act", "result" })
        {
            await Expect(incident.Locator($".timeline li[data-stage='{stage}']").First).ToBeVisibleAsync();
        }

        await Expect(incident.Locator(".timeline li[data-stage='act']", new() { HasText = "rollback requested" })).ToBeVisibleAsync();

        // Uptime: once the target's two failed probes are on record, the figures equal the documented definition
        // applied here to the journal's own probe records.
        var day = web.Locator(".uptime li[data-window='24h']");
        await Poll.UntilAsync(() => int.Parse(day.GetAttributeAsync("data-probes").GetAwaiter().GetResult() ?? "0", CultureInfo.InvariantCulture) >= 6,
            "six probes of the target on the page", TimeSpan.FromSeconds(90));
        var probes = int.Parse((await day.GetAttributeAsync("data-probes"))!, CultureInfo.InvariantCulture);
        var at = DateTimeOffset.Parse((await web.Locator(".uptime").GetAttributeAsync("data-at"))!, CultureInfo.InvariantCulture);
        var records = (await browser.Daemon.EventsAsync(ProbeRecorder.StreamId)).OfType<HealthProbed>().Where(p => p.Target == DashboardBrowser.Target).Take(probes).ToList();
        Assert.Equal(probes, records.Count);
        Assert.Equal(2, records.Count(r => !r.Healthy));
        var expected = 100 * ExpectedUptime(records, at);
        Assert.InRange(expected, 1, 99); // neither 0 nor 100 %: the comparison below means something
        foreach (var window in new[] { "24h", "7d", "30d" })
        {
            var shown = await web.Locator($".uptime li[data-window='{window}'] .value").TextContentAsync();
            Assert.EndsWith(" %", shown);
            Assert.InRange(double.Parse(shown![..^2], CultureInfo.InvariantCulture), expected - 0.006, expected + 0.006);
        }

        // The summary and the hourly chart are drawn from the same journal.
        await Expect(page.Locator("[data-summary='rollbacks']")).Not.ToHaveTextAsync("0");
        await Expect(page.Locator("#activity svg rect[data-kind='act']").First).ToBeAttachedAsync();
        await Expect(page.Locator("#control-mode")).ToHaveTextAsync("running");
        await Expect(page.Locator("#cluster li")).ToHaveCountAsync(1);

        var (path, width) = await DashboardBrowser.ScreenshotAsync(page, "dashboard-desktop.png");
        Assert.Equal(1280, width);
        Assert.True(new FileInfo(path).Length > 10_000, "a screenshot with content");
        await AssertKeyElementsFitAsync(page);

        var phone = await browser.OpenAsync(phone: true);
        await DashboardBrowser.SignInAsync(phone, TestDaemon.ViewerToken);
        await Expect(phone.Locator($".incident:has-text('{SimulatedPlatforms.DemoService}') a.issue").First).ToBeVisibleAsync();
        (path, width) = await DashboardBrowser.ScreenshotAsync(phone, "dashboard-phone.png");
        Assert.Equal(390, width);
        await AssertKeyElementsFitAsync(phone);
        await page.Context.CloseAsync();
        await phone.Context.CloseAsync();
    }

    [Fact]
    public async Task A_new_audit_event_appears_without_reloading_the_page()
    {
        var page = await browser.OpenAsync();
        await DashboardBrowser.SignInAsync(page, TestDaemon.ViewerToken);
        await Expect(page.Locator("#live[data-live='on']")).ToHaveCountAsync(1);
        // A marker a reload would wipe.
        await page.EvaluateAsync("() => { window.__notReloaded = true; }");

        using var http = new HttpClient { BaseAddress = browser.Daemon.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestDaemon.AdminToken);
        (await http.PostAsync("/api/pause", null)).EnsureSuccessStatusCode();
        try
        {
            await Expect(page.Locator("#events li[data-type='autopilot.mode_changed']").First).ToContainTextAsync("paused");
            await Expect(page.Locator("#control-mode")).ToHaveTextAsync("paused");
            await Expect(page.Locator("#mode")).ToHaveTextAsync("mode: paused");
            Assert.True(await page.EvaluateAsync<bool>("() => window.__notReloaded === true"));
        }
        finally
        {
            (await http.PostAsync("/api/resume", null)).EnsureSuccessStatusCode();
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_token_shows_the_sign_in_again()
    {
        var page = await browser.OpenAsync();
        await page.FillAsync("#token", "not-a-token-of-this-daemon");
        await page.ClickAsync("#signin-form button[type=submit]");
        await Expect(page.Locator("#signin-error")).ToContainTextAsync("refused");
        await Expect(page.Locator("#signin")).ToBeVisibleAsync();
        await Expect(page.Locator("#app")).ToBeHiddenAsync();

        // Signed in, then the token stops working (e.g. rotated): the next call sends the user back to the form.
        await DashboardBrowser.SignInAsync(page, TestDaemon.ViewerToken);
        await Expect(page.Locator("#app")).ToBeVisibleAsync();
        await page.EvaluateAsync("() => sessionStorage.setItem('autopilot.token', 'rotated-away')");
        await page.ReloadAsync();
        await Expect(page.Locator("#signin-error")).ToContainTextAsync("refused");
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('autopilot.token')"));
        Assert.DoesNotContain("token", page.Url, StringComparison.OrdinalIgnoreCase);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_has_no_action_buttons_and_an_operator_has_them()
    {
        var viewer = await browser.OpenAsync();
        await DashboardBrowser.SignInAsync(viewer, TestDaemon.ViewerToken);
        await Expect(viewer.Locator("#whoami")).ToHaveTextAsync("viewer (viewer)");
        await Expect(viewer.Locator("#actions")).ToBeHiddenAsync();
        await Expect(viewer.Locator("main button:visible")).ToHaveCountAsync(0);

        var operatorPage = await browser.OpenAsync();
        await DashboardBrowser.SignInAsync(operatorPage, TestDaemon.OperatorToken);
        await Expect(operatorPage.Locator("#whoami")).ToHaveTextAsync("operator (operator)");
        await Expect(operatorPage.Locator("#actions")).ToBeVisibleAsync();
        await Expect(operatorPage.Locator("#actions button:visible")).ToHaveCountAsync(1); // pause or resume, by mode
        await viewer.Context.CloseAsync();
        await operatorPage.Context.CloseAsync();
    }

    /// <summary>
    /// The documented definition, written out here independently of <see cref="ProbeUptime"/>: each result stands for the
    /// time until the next one, at most one interval, and never past <paramref name="now"/>; uptime is the healthy share.
    /// </summary>
    private static double ExpectedUptime(IReadOnlyList<HealthProbed> records, DateTimeOffset now)
    {
        double covered = 0, healthy = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var end = records[i].At + records[i].Interval;
            if (i + 1 < records.Count && records[i + 1].At < end)
            {
                end = records[i + 1].At;
            }

            if (end > now)
            {
                end = now;
            }

            var seconds = Math.Max(0, (end - records[i].At).TotalSeconds);
            covered += seconds;
            healthy += records[i].Healthy ? seconds : 0;
        }

        return healthy / covered;
    }

    /// <summary>The cards, the incidents and the uptime figures are on the page and nothing is wider than the screen.</summary>
    private static async Task AssertKeyElementsFitAsync(IPage page)
    {
        foreach (var selector in new[] { "#services .card", "#incidents .incident", ".uptime", "#summary", "#activity svg" })
        {
            await Expect(page.Locator(selector).First).ToBeVisibleAsync();
        }

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than the screen");
    }
}
