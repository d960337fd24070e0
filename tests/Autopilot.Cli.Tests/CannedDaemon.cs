using System.Net;
using System.Text;
using Autopilot.Cli;

namespace Autopilot.Cli.Tests;

/// <summary>
/// A daemon that answers from canned JSON (through <see cref="CliEnvironment.Transport"/>), for shapes a single
/// in-process daemon cannot produce, such as a three-member cluster; it records what the CLI sent.
/// </summary>
public sealed class CannedDaemon : HttpMessageHandler
{
    private readonly Dictionary<(string Method, string Path), (HttpStatusCode Status, string Json)> _answers = [];

    /// <summary>The requests received: method, path and body (empty when none).</summary>
    public List<(string Method, string Path, string Body, string? Authorization)> Requests { get; } = [];

    public CannedDaemon Answer(HttpMethod method, string path, HttpStatusCode status, string json)
    {
        _answers[(method.Method, path)] = (status, json);
        return this;
    }

    /// <summary>Runs the CLI against this daemon (host and token are set; the transport never opens a socket).</summary>
    public async Task<CliRun> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new Dictionary<string, string> { ["AUTOPILOT_HOST"] = "10.0.0.1:9110", ["AUTOPILOT_TOKEN"] = "canned-admin-token-0123456789" };
        var code = await AutopilotCli.RunAsync(args,
            CliEnvironment.Captured(output, error, environment.GetValueOrDefault) with { Transport = this });
        return new CliRun(code, output.ToString(), error.ToString());
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var path = request.RequestUri!.PathAndQuery;
        Requests.Add((request.Method.Method, path, body, request.Headers.Authorization?.ToString()));
        var (status, json) = _answers.TryGetValue((request.Method.Method, path), out var answer)
            ? answer
            : (HttpStatusCode.NotFound, """{"error":"not_found","message":"no canned answer"}""");
        return new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json"), RequestMessage = request };
    }
}
