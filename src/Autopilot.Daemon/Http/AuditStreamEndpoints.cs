using System.Buffers;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Audit;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Http.Auth;
using Autopilot.Daemon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Daemon.Http;

/// <summary>
/// <c>/api/audit/stream</c>: the audit trail live, as Server-Sent Events (<c>id</c> = journal offset, <c>event: audit</c>,
/// <c>data</c> = an <see cref="AuditRecord"/>). Starts after <c>?after=</c> or the <c>Last-Event-ID</c> header, so a
/// reconnecting client misses nothing; without either it starts at the current end. Optional <c>?tag=</c> and
/// <c>?service=</c> narrow it. Every viewer reads the one shared tail of <see cref="AuditFeed"/> (one journal query and one
/// serialization per event, however many viewers).
/// </summary>
public static class AuditStreamEndpoints
{
    /// <summary>Maps the endpoint onto the <c>/api</c> group.</summary>
    public static RouteGroupBuilder MapAuditStreamEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/audit/stream", StreamAsync).RequireRole(ApiRole.Viewer);
        return api;
    }

    private static async Task StreamAsync(HttpContext http, DaemonRuntime runtime, AuditFeed feed, string? tag, string? service, long? after)
    {
        var ct = http.RequestAborted;
        var filter = new AuditFilter(null, null, null, null, string.IsNullOrWhiteSpace(tag) ? null : tag, string.IsNullOrWhiteSpace(service) ? null : service);
        if (runtime.Audit is null)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await http.Response.WriteAsJsonAsync(new ApiError("unavailable", "The daemon is starting; try again."), ct);
            return;
        }

        // Without a resume point: from the live tail's present position, taken before the first line is sent, so every
        // event after that line reaches this viewer.
        var start = after ?? (long.TryParse(http.Request.Headers["Last-Event-ID"], out var lastId) ? lastId : await feed.PositionAsync(ct));

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var gate = new SemaphoreSlim(1, 1);
        await WriteAsync(http, gate, ": audit stream\n\n", ct);

        using var keepAlive = new PeriodicTimer(runtime.Settings.Http.SseKeepAlive);
        var pinger = Task.Run(async () =>
        {
            while (await keepAlive.WaitForNextTickAsync(ct))
            {
                await WriteAsync(http, gate, ": keepalive\n\n", ct);
            }
        }, ct);

        try
        {
            // One shared tail for all viewers (AuditFeed): each batch of what is ready is copied as the frames' bytes the
            // tail serialized once, and flushed once.
            await foreach (var batch in feed.FollowAsync(start, ct))
            {
                var matching = batch.Where(entry => filter.Matches(entry.Record)).ToArray();
                if (matching.Length == 0)
                {
                    continue;
                }

                await gate.WaitAsync(ct);
                try
                {
                    foreach (var entry in matching)
                    {
                        http.Response.BodyWriter.Write(entry.Frame.Span);
                    }

                    await http.Response.BodyWriter.FlushAsync(ct);
                }
                finally
                {
                    gate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Too far behind, or the live tail stopped: the stream ends; the client resumes with Last-Event-ID.
        }

        // The stream is over even while the client stays connected (dropped for falling behind, or the tail stopped):
        // stop the keep-alives so the response ends and the client resumes with Last-Event-ID.
        keepAlive.Dispose();
        try
        {
            await pinger;
        }
        catch (OperationCanceledException)
        {
            // Stopped with the request.
        }
    }

    private static async Task WriteAsync(HttpContext http, SemaphoreSlim gate, string text, CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            await http.Response.WriteAsync(text, ct);
            await http.Response.Body.FlushAsync(ct);
        }
        finally
        {
            gate.Release();
        }
    }
}
