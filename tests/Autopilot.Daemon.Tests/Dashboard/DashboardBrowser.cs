using System.Buffers.Binary;
using Autopilot.Daemon.Runtime;
using Autopilot.Daemon.Simulation;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Simulator.Railway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Autopilot.Daemon.Tests.Dashboard;

/// <summary>
/// What the dashboard's browser tests share (one per test class, started once): a daemon on real Kestrel running the
/// real loop on the simulated platforms (the demo's build failure, rollback, incident and issue), a health target that
/// fails two probes and is healthy otherwise, and Debian's Chromium driven by Playwright (never a downloaded browser).
/// </summary>
public sealed class DashboardBrowser : IAsyncLifetime
{
    /// <summary>The health target on the page (its own service card).</summary>
    public const string Target = "web";

    /// <summary>Debian's Chromium (<c>apt-get install chromium</c>; .ci/run installs it when missing).</summary>
    public const string Chromium = "/usr/bin/chromium";

    private WebApplication? _target;
    private SimulatedPlatforms? _simulation;
    private IPlaywright? _playwright;
    private int _probes;

    public TestDaemon Daemon { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: the test output directory's <c>artifacts</c> folder.</summary>
    public static string Artifacts { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(30_000);
        _target = await StartTargetAsync();
        _simulation = await SimulatedPlatforms.StartAsync(TimeProvider.System, new RailwayFakeOptions(TimeSpan.FromMilliseconds(100)));
        var health = $$"""
            autopilot.http.rate-limit.permits = 1000000
            autopilot.persistence.query-poll-interval = 100ms
            autopilot.agents.orchestrator.cycle-interval = 500ms
            autopilot.agents.railway.poll-interval = 100ms
            autopilot.agents.railway.stable-after = 1s
            autopilot.agents.health {
              interval = 1s
              retries = 0
              targets.{{Target}} { url = "{{_target.Urls.Single()}}/healthz", service = "{{Target}}" }
            }
            """;
        // The simulator's endpoints win over the test's settings; the test's tokens (admin, operator, viewer) stay.
        Daemon = await TestDaemon.StartAsync(kestrel: true, extraHocon: health + "\n" + _simulation.Overrides, orchestratorFactory: OrchestratorWiring.Create);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-background-networking"],
        });
    }

    /// <summary>A fresh browser context (own session storage) at desktop (1280×800) or phone (390×844) size.</summary>
    public async Task<IPage> OpenAsync(bool phone = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Daemon.Address!.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 800 },
            IsMobile = phone,
            HasTouch = phone,
            DeviceScaleFactor = 1,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        return page;
    }

    /// <summary>Signs in through the form and waits until the page has loaded its data.</summary>
    public static async Task SignInAsync(IPage page, string token)
    {
        await page.FillAsync("#token", token);
        await page.ClickAsync("#signin-form button[type=submit]");
        await Assertions.Expect(page.Locator("body[data-ready=true]")).ToHaveCountAsync(1);
    }

    /// <summary>Saves a full-page screenshot as an artifact and returns its path and pixel width (from the PNG header).</summary>
    public static async Task<(string Path, int Width)> ScreenshotAsync(IPage page, string name)
    {
        var path = System.IO.Path.Combine(Artifacts, name);
        var png = await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(png.AsSpan(1, 3).SequenceEqual("PNG"u8), "a PNG file");
        return (path, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
    }

    private async Task<WebApplication> StartTargetAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        // Probes 3 and 4 fail: an uptime that is neither 0 nor 100 %.
        app.MapGet("/healthz", () => Interlocked.Increment(ref _probes) is 3 or 4 ? Results.StatusCode(503) : Results.Text("ok"));
        await app.StartAsync();
        return app;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Daemon is not null)
        {
            await Daemon.DisposeAsync();
        }

        if (_simulation is not null)
        {
            await _simulation.DisposeAsync();
        }

        if (_target is not null)
        {
            await _target.DisposeAsync();
        }
    }
}
