using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Daemon.Dashboard;

/// <summary>
/// Serves the dashboard page (<c>/</c> and <c>/dashboard</c>) and its stylesheet and script from the daemon's assembly:
/// nothing to build or install, and no CDN (the Content-Security-Policy allows this origin only). The page holds no
/// data, so it is served without a token; everything it shows comes from the admin API with the token the user enters.
/// </summary>
public static class DashboardPage
{
    private const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private static readonly IReadOnlyDictionary<string, string> Files = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["dashboard.css"] = "text/css; charset=utf-8",
        ["dashboard.js"] = "text/javascript; charset=utf-8",
    };

    /// <summary>Maps the page's routes.</summary>
    public static IEndpointRouteBuilder MapDashboardPage(this IEndpointRouteBuilder app)
    {
        var index = Load("index.html");
        app.MapGet("/", () => Serve(index, Files["index.html"]));
        app.MapGet("/dashboard", () => Serve(index, Files["index.html"]));
        foreach (var name in Files.Keys.Where(n => n != "index.html"))
        {
            var content = Load(name);
            app.MapGet($"/dashboard/{name}", () => Serve(content, Files[name]));
        }

        return app;
    }

    private static IResult Serve(byte[] content, string type) => new PageResult(content, type);

    private static byte[] Load(string name)
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream($"Autopilot.Daemon.Dashboard.{name}")
            ?? throw new InvalidOperationException($"The dashboard file {name} is not embedded in the daemon's assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>A page file with the headers that keep it to this origin and out of frames and caches.</summary>
    private sealed class PageResult(byte[] content, string type) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = type;
            http.Response.Headers.ContentSecurityPolicy = Policy;
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.ContentLength = content.Length;
            return http.Response.Body.WriteAsync(content).AsTask();
        }
    }
}
