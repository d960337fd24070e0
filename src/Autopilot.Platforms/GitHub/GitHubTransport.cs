using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging;

namespace Autopilot.Platforms.GitHub;

/// <summary>A successful GitHub answer: status, headers and body text.</summary>
internal sealed record GitHubResponse(int StatusCode, HttpResponseHeaders Headers, string Body)
{
    public JsonElement Json() => JsonDocument.Parse(Body).RootElement.Clone();
}

/// <summary>
/// One HTTP exchange with GitHub: standard headers, redacted logging, and translation of every error answer into
/// the <see cref="GitHubApiException"/> family following GitHub's documented rate-limit rules.
/// </summary>
internal sealed class GitHubTransport(HttpClient http, GitHubClientOptions options, TimeProvider time, Redactor redactor, ILogger logger)
{
    private int _consecutiveSecondaryLimits;

    public async ValueTask<GitHubResponse> SendAsync(HttpMethod method, string pathAndQuery, object? body, string? token, CancellationToken cancellationToken)
    {
        var operation = $"{method} {pathAndQuery.Split('?')[0]}";
        using var request = new HttpRequestMessage(method, new Uri(options.BaseAddress, pathAndQuery.TrimStart('/')));
        request.Headers.Accept.ParseAdd("application/vnd.github+json");
        request.Headers.UserAgent.ParseAdd(options.UserAgent);
        request.Headers.Add("X-GitHub-Api-Version", options.ApiVersion);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: GitHubJson.Options);

        var started = time.GetTimestamp();
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var call = new PlatformCall("github", operation, status, time.GetElapsedTime(started), redactor.Snippet(text, options.SnippetLength));
        logger.LogDebug("GitHub {Operation} answered {StatusCode} in {Duration}: {Body}", call.Operation, call.StatusCode, call.Duration, call.BodySnippet);

        if (response.IsSuccessStatusCode)
        {
            Interlocked.Exchange(ref _consecutiveSecondaryLimits, 0);
            return new GitHubResponse(status, response.Headers, text);
        }
        throw Classify(operation, status, response.Headers, text);
    }

    private GitHubApiException Classify(string operation, int status, HttpResponseHeaders headers, string body)
    {
        var (message, documentationUrl, errors) = ReadErrorBody(body);

        if (status is 403 or 429)
        {
            // Primary limit: the quota is exhausted until the reset instant GitHub announces.
            if (Header(headers, "x-ratelimit-remaining") == "0"
                && long.TryParse(Header(headers, "x-ratelimit-reset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var resetSeconds))
            {
                var wait = DateTimeOffset.FromUnixTimeSeconds(resetSeconds) - time.GetUtcNow();
                return new GitHubRateLimitedException(operation, status, message, documentationUrl, GitHubRateLimitKind.Primary,
                    wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
            }
            var retryAfter = RetryAfterHeader.Read(headers, time);
            var secondary = retryAfter is not null || status == 429
                            || (message?.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase) ?? false);
            if (secondary)
            {
                // Without Retry-After GitHub asks for at least a minute, growing exponentially while the limit persists.
                var hits = Interlocked.Increment(ref _consecutiveSecondaryLimits);
                var wait = retryAfter ?? options.SecondaryRateLimitWait * Math.Pow(2, Math.Min(hits - 1, 6));
                return new GitHubRateLimitedException(operation, status, message, documentationUrl, GitHubRateLimitKind.Secondary, wait);
            }
        }

        return status switch
        {
            405 => new GitHubPullRequestNotMergeableException(operation, message, documentationUrl),
            409 when operation.EndsWith("/merge", StringComparison.Ordinal) => new GitHubHeadModifiedException(operation, message, documentationUrl),
            >= 500 or 408 => new GitHubApiException(operation, status, message ?? redactor.Snippet(body, options.SnippetLength), documentationUrl, errors,
                isTransient: true, retryAfter: RetryAfterHeader.Read(headers, time)),
            _ => new GitHubApiException(operation, status, message, documentationUrl, errors),
        };
    }

    private (string? Message, string? DocumentationUrl, IReadOnlyList<GitHubValidationError> Errors) ReadErrorBody(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null, []);
            var errors = root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Array
                ? e.EnumerateArray().Select(ReadValidationError).ToArray()
                : [];
            return (Redacted(root, "message"), Redacted(root, "documentation_url"), errors);
        }
        catch (JsonException)
        {
            return (null, null, []);
        }
    }

    private GitHubValidationError ReadValidationError(JsonElement error) => error.ValueKind == JsonValueKind.String
        ? new GitHubValidationError(null, null, null, redactor.Redact(error.GetString()))
        : new GitHubValidationError(Redacted(error, "resource"), Redacted(error, "field"), Redacted(error, "code"), Redacted(error, "message"));

    private string? Redacted(JsonElement node, string property) =>
        node.ValueKind == JsonValueKind.Object && node.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? redactor.Snippet(value.GetString(), options.SnippetLength)
            : null;

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
