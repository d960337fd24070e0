using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Simulator.Hosting;

/// <summary>
/// Base of every platform fake: a real Kestrel server on 127.0.0.1 with an OS-chosen free port, so clients are
/// exercised over genuine HTTP (headers, status codes, connection handling) rather than an in-process shortcut.
/// Every exchange is recorded for assertions.
/// </summary>
public abstract class FakeServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedExchange> _exchanges = new();
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _faults = new();
    private WebApplication? _app;
    private int _requestsReceived;
    private Uri? _baseAddress;

    /// <summary>Creates the fake; <paramref name="timeProvider"/> drives everything time-dependent it simulates.</summary>
    protected FakeServer(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        TimeProvider = timeProvider;
    }

    /// <summary>The clock the simulated platform lives on.</summary>
    protected TimeProvider TimeProvider { get; }

    /// <summary>Root address of the running server (e.g. <c>http://127.0.0.1:41237/</c>).</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException($"{GetType().Name} has not been started.");

    /// <summary>
    /// Requests that have arrived so far, including ones still being answered (or hanging); lets a test know a
    /// request reached the server before it moves the clock.
    /// </summary>
    public int RequestsReceived => Volatile.Read(ref _requestsReceived);

    /// <summary>Every completed exchange so far, in completion order.</summary>
    public IReadOnlyList<RecordedExchange> Exchanges => _exchanges.ToArray();

    /// <summary>Starts listening; the port is chosen by the OS, read it from <see cref="BaseAddress"/>.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null) throw new InvalidOperationException($"{GetType().Name} is already started.");
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.Use(RecordAsync);
        MapEndpoints(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _baseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        _app = app;
    }

    /// <summary>Answers the next <paramref name="times"/> requests with <paramref name="statusCode"/> (a 5xx outage).</summary>
    public void RespondServerError(int statusCode = 503, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 500);
        for (var i = 0; i < times; i++)
        {
            EnqueueFault(async context =>
            {
                context.Response.StatusCode = statusCode;
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("upstream unavailable");
            });
        }
    }

    /// <summary>Makes the next <paramref name="times"/> requests never answer, until the client gives up on them.</summary>
    public void HangNext(int times = 1)
    {
        for (var i = 0; i < times; i++)
            EnqueueFault(context => Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted));
    }

    /// <summary>
    /// Queues a scripted transport-level answer; the next request gets it instead of reaching the platform
    /// logic. Used for outages, hangs and platform-specific rate-limit responses.
    /// </summary>
    protected void EnqueueFault(Func<HttpContext, Task> respond) => _faults.Enqueue(respond);

    /// <summary>Registers the platform's routes. Called once, before the server starts.</summary>
    protected abstract void MapEndpoints(IEndpointRouteBuilder endpoints);

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _app = null;
        GC.SuppressFinalize(this);
    }

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        var receivedAt = TimeProvider.GetUtcNow();
        Interlocked.Increment(ref _requestsReceived);
        context.Request.EnableBuffering();
        var requestBody = await new StreamReader(context.Request.Body, Encoding.UTF8, leaveOpen: true).ReadToEndAsync(context.RequestAborted);
        context.Request.Body.Position = 0;

        var originalBody = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        try
        {
            if (_faults.TryDequeue(out var fault))
                await fault(context);
            else
                await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up on a hung request; nothing to answer.
        }
        finally
        {
            context.Response.Body = originalBody;
            captured.Position = 0;
            var responseBody = Encoding.UTF8.GetString(captured.ToArray());
            _exchanges.Enqueue(new RecordedExchange(
                context.Request.Method,
                context.Request.Path.Value ?? "/",
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                requestBody,
                context.Response.StatusCode,
                context.Response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                responseBody,
                receivedAt));
            if (!context.RequestAborted.IsCancellationRequested)
                await captured.CopyToAsync(originalBody, context.RequestAborted);
        }
    }
}
