using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Autopilot.Cli.Client;

/// <summary>
/// Talks to the daemon's HTTP API and turns every failure into a <see cref="CliException"/> with the right exit
/// code: unreachable (3), token refused (4), command refused or failed (1).
/// </summary>
public sealed class DaemonClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string? _token;

    /// <summary>Creates a client for <paramref name="baseAddress"/>.</summary>
    /// <param name="baseAddress">The daemon, e.g. <c>http://127.0.0.1:9110</c>.</param>
    /// <param name="token">Bearer token, or null (only /health works without one).</param>
    /// <param name="handler">Transport (tests), or null for sockets.</param>
    public DaemonClient(Uri baseAddress, string? token, HttpMessageHandler? handler = null)
    {
        BaseAddress = baseAddress;
        _token = token;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = baseAddress;
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    /// <summary>The daemon's address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>True when a bearer token was given (the authenticated endpoints can be asked).</summary>
    public bool HasToken => _token is not null;

    /// <summary>Per-request timeout of ordinary (non-streaming) calls.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Parses <c>--host</c>: <c>host:port</c> or a full http(s) address.</summary>
    /// <exception cref="CliException">Not an address (usage error).</exception>
    public static Uri ParseHost(string host)
    {
        var text = host.Contains("://", StringComparison.Ordinal) ? host : "http://" + host;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new CliException(ExitCodes.Usage, $"--host '{host}' is not an address like 127.0.0.1:9110 or https://autopilot.example.com.");
    }

    /// <summary>GET returning JSON; <paramref name="acceptUnhealthy"/> lets /health's 503 through as data.</summary>
    public async Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken, bool acceptUnhealthy = false)
    {
        using var response = await SendAsync(HttpMethod.Get, path, cancellationToken).ConfigureAwait(false);
        if (acceptUnhealthy && response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            return await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET that returns the status and JSON of a 2xx answer or of one of the <paramref name="refusals"/> (e.g. 404); other failures throw as <see cref="GetAsync"/>.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> GetWithRefusalsAsync(string path, IReadOnlyCollection<HttpStatusCode> refusals, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, cancellationToken).ConfigureAwait(false);
        if (!refusals.Contains(response.StatusCode))
        {
            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return (response.StatusCode, await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>POST of a command; returns the daemon's answer and whether it was accepted (2xx) or refused (409).</summary>
    public async Task<(bool Accepted, JsonElement Body)> PostAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, path, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return (false, await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false));
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return (true, await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// POST of <paramref name="body"/> as JSON. Returns the status and JSON of a 2xx answer, or of one of the
    /// <paramref name="refusals"/> (e.g. 404, 409) for the caller to map to its exit code; any other failure throws as
    /// <see cref="GetAsync"/> does (401/403: 4, unreachable: 3, the rest: 1).
    /// </summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> PostJsonAsync<T>(string path, T body, IReadOnlyCollection<HttpStatusCode> refusals,
        CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? headers = null)
    {
        // Serialized up front so the request has a Content-Length (not chunked): simpler for proxies in front of the daemon.
        var content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");
        using var response = await SendAsync(HttpMethod.Post, path, cancellationToken, content, headers).ConfigureAwait(false);
        if (!refusals.Contains(response.StatusCode))
        {
            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return (response.StatusCode, await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>DELETE; returns the status and JSON of a 2xx answer or of one of the <paramref name="refusals"/>, other failures throw as <see cref="GetAsync"/>.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> DeleteAsync(string path, IReadOnlyCollection<HttpStatusCode> refusals, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, path, cancellationToken).ConfigureAwait(false);
        if (!refusals.Contains(response.StatusCode))
        {
            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return (response.StatusCode, await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Follows a Server-Sent Events stream, yielding each event's data until cancelled or the daemon goes away.</summary>
    public async IAsyncEnumerable<string> StreamAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }

        using (response)
        {
            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
            while (!cancellationToken.IsCancellationRequested)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    throw new CliException(ExitCodes.Unreachable, $"The connection to the daemon at {BaseAddress} was lost: {e.Message}");
                }

                if (line is null)
                {
                    throw new CliException(ExitCodes.Unreachable, $"The daemon at {BaseAddress} closed the stream (stopping?).");
                }

                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    yield return line["data:".Length..].Trim();
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, CancellationToken cancellationToken, HttpContent? content = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = Request(method, path);
        request.Content = content;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            await response.Content.LoadIntoBufferAsync(timeout.Token).ConfigureAwait(false);
            return response;
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unreachable, $"The daemon at {BaseAddress} did not answer within {RequestTimeout.TotalSeconds:0} s.");
        }
    }

    private CliException Unreachable(HttpRequestException e) =>
        new(ExitCodes.Unreachable,
            $"Cannot reach the autopilot daemon at {BaseAddress} ({e.HttpRequestError switch
            {
                HttpRequestError.ConnectionError => "connection refused or host unreachable",
                HttpRequestError.NameResolutionError => "unknown host",
                HttpRequestError.SecureConnectionError => "TLS handshake failed",
                _ => e.Message,
            }}). Is autopilotd running? Start it with `autopilotd`, or point --host (AUTOPILOT_HOST) at it.");

    private async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var message = await ErrorMessageAsync(response, cancellationToken).ConfigureAwait(false);
        throw response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new CliException(ExitCodes.Unauthorized, _token is null
                ? "No token: pass --token or set AUTOPILOT_TOKEN to a token from autopilot.api.tokens."
                : "The daemon refused the token (unknown token). Check --token / AUTOPILOT_TOKEN."),
            HttpStatusCode.Forbidden => new CliException(ExitCodes.Unauthorized, $"Forbidden: {message}"),
            HttpStatusCode.TooManyRequests => new CliException(ExitCodes.Failed, "Rate limited by the daemon; try again in a minute."),
            _ => new CliException(ExitCodes.Failed, $"The daemon answered {(int)response.StatusCode} {response.ReasonPhrase}: {message}"),
        };
    }

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("message", out var message) ? message.GetString() ?? text : text;
        }
        catch (JsonException)
        {
            return string.IsNullOrWhiteSpace(text) ? "(no details)" : text;
        }
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new CliException(ExitCodes.Failed, $"The daemon at {response.RequestMessage?.RequestUri} did not answer with JSON; is --host pointing at autopilotd?");
        }
    }
}
