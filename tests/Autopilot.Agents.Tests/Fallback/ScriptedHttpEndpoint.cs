using System.Collections.Concurrent;
using Autopilot.Simulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Agents.Tests.Fallback;

/// <summary>
/// A local HTTP target (Kestrel on 127.0.0.1:0) whose paths answer as scripted: a status code, or never (hang until
/// the caller gives up). Unscripted paths answer 200. Stands in for fallback endpoints and health-checked services;
/// exchanges are stamped on <paramref name="time"/>.
/// </summary>
public sealed class ScriptedHttpEndpoint(TimeProvider time) : FakeServer(time)
{
    private readonly ConcurrentDictionary<string, int> _statuses = new(StringComparer.Ordinal);

    /// <summary>Status that means "never answer".</summary>
    public const int Hang = -1;

    /// <summary>Makes <paramref name="path"/> (e.g. <c>/run</c>) answer <paramref name="status"/> (or <see cref="Hang"/>).</summary>
    public void Script(string path, int status) => _statuses[path] = status;

    /// <summary>The absolute URL of <paramref name="path"/>.</summary>
    public Uri Url(string path) => new(BaseAddress, path.TrimStart('/'));

    /// <summary>Requests that arrived at <paramref name="path"/> (completed ones).</summary>
    public int Calls(string path) => Exchanges.Count(e => e.Path == path);

    /// <inheritdoc />
    protected override void MapEndpoints(IEndpointRouteBuilder endpoints) =>
        endpoints.Map("/{**path}", async context =>
        {
            var path = context.Request.Path.Value ?? "/";
            var status = _statuses.GetValueOrDefault(path, 200);
            if (status == Hang)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            context.Response.StatusCode = status;
            await context.Response.WriteAsync(status is >= 200 and < 300 ? """{"ok":true}""" : """{"message":"upstream failed"}""");
        });
}
