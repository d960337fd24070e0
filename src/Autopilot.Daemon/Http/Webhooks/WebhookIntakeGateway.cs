using System.Text.Json;
using System.Text.Unicode;
using Autopilot.Daemon.Http.Auth;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Metrics;
using Autopilot.Daemon.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Http.Webhooks;

/// <summary>
/// The steps every webhook source shares once its own authentication is done: size limit, JSON check, hand-over on the
/// runtime's <see cref="IWorkRoute"/> (journaled by the intake on a single node, stored in the durable inbox on a
/// cluster node, either way before answering), de-duplication, and the answer. Also records rejected deliveries as
/// security events.
/// </summary>
public sealed class WebhookIntakeGateway(DaemonRuntime runtime, ClientRateLimits limits, SecurityEventFolder securityEvents, ILogger<WebhookIntakeGateway> log)
{
    /// <summary>
    /// The per-client budgets, checked before anything else (body, signature, journal): 429 for a client over its
    /// failed-authentication budget or its webhook budget, else null (go on). A throttled request is a security event
    /// too, folded like the others (so it costs at most two journal events per client and window).
    /// </summary>
    public IResult? Throttle(string source, HttpContext http)
    {
        var client = ClientRateLimits.ClientOf(http);
        string? reason = null;
        TimeSpan? retryAfter = null;
        if (limits.IsLockedOut(client, out var lockedFor))
        {
            reason = "Too many failed authentications from this address; try again later.";
            retryAfter = lockedFor;
        }
        else if (!limits.TryAcquireWebhook(client, out var webhookRetry))
        {
            reason = "Too many webhook requests from this address (autopilot.http.rate-limit.webhook-permits); try again later.";
            retryAfter = webhookRetry;
        }

        if (reason is null)
        {
            return null;
        }

        runtime.Metrics.RecordWebhook(source, "rate_limited");
        // Not awaited: a throttled request gets its answer without waiting for the journal.
        _ = securityEvents.RecordAsync("webhook-rate-limited", $"webhooks/{source}", client, reason, CancellationToken.None);
        return ClientRateLimits.TooManyRequests(http, retryAfter, reason);
    }

    /// <summary>Reads the body within the configured limit, or null (the caller answers 413).</summary>
    public Task<byte[]?> ReadBodyAsync(HttpContext http) =>
        WebhookBody.ReadAsync(http.Request, runtime.Settings.Http.MaxWebhookBodyBytes, http.RequestAborted);

    /// <summary>413 for a body over the limit.</summary>
    public IResult TooLarge(string source)
    {
        runtime.Metrics.RecordWebhook(source, "too_large");
        return Results.Json(new ApiError("payload_too_large", $"Webhook bodies are limited to {runtime.Settings.Http.MaxWebhookBodyBytes} bytes (autopilot.http.max-webhook-body)."),
            statusCode: StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>503 when the source has no secret configured: unverifiable deliveries are never accepted.</summary>
    public IResult NotConfigured(string source, string key)
    {
        runtime.Metrics.RecordWebhook(source, "unavailable");
        return Results.Json(new ApiError("not_configured", $"{source} webhooks are not configured: set {key}."), statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>
    /// Answers 401 for a rejected delivery, counts the failure against the client address (429 once it is over its
    /// budget) and records the security event through the <see cref="SecurityEventFolder"/> (repeats folded).
    /// </summary>
    public async Task<IResult> RejectAsync(string source, string kind, string detail, HttpContext http)
    {
        runtime.Metrics.RecordWebhook(source, "unauthorized");
        var client = ClientRateLimits.ClientOf(http);
        var withinBudget = limits.RecordFailure(client, out var retryAfter);
        await securityEvents.RecordAsync(kind, $"webhooks/{source}", client, detail, http.RequestAborted).ConfigureAwait(false);
        if (!withinBudget)
        {
            return ClientRateLimits.TooManyRequests(http, retryAfter, "Too many failed authentications from this address; try again later.");
        }

        http.Response.Headers.WWWAuthenticate = "Signature";
        return Results.Json(new ApiError("unauthorized", detail), statusCode: StatusCodes.Status401Unauthorized);
    }

    /// <summary>Parses, journals and hands over a verified delivery; answers 202 (new), 200 (redelivery), 400 or 503.</summary>
    public async Task<IResult> AcceptAsync(string source, string? eventType, string? deliveryId, byte[] body, HttpContext http)
    {
        // JSON is UTF-8 (RFC 8259); the parser does not check the bytes inside strings, so check them all first.
        if (!Utf8.IsValid(body))
        {
            runtime.Metrics.RecordWebhook(source, "malformed");
            return Results.Json(new ApiError("bad_request", "The body is not valid UTF-8."), statusCode: StatusCodes.Status400BadRequest);
        }

        JsonElement payload;
        try
        {
            using var document = JsonDocument.Parse(body);
            payload = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            runtime.Metrics.RecordWebhook(source, "malformed");
            return Results.Json(new ApiError("bad_request", $"The body is not valid JSON: {e.Message}"), statusCode: StatusCodes.Status400BadRequest);
        }

        if (string.IsNullOrWhiteSpace(eventType))
        {
            runtime.Metrics.RecordWebhook(source, "malformed");
            return Results.Json(new ApiError("bad_request", "The delivery does not name its event type."), statusCode: StatusCodes.Status400BadRequest);
        }

        deliveryId = string.IsNullOrWhiteSpace(deliveryId) ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)) : deliveryId.Trim();
        DeliveryOutcome outcome;
        try
        {
            outcome = await runtime.WorkRoute.SubmitDeliveryAsync(new ReceiveDelivery(source, eventType.Trim(), deliveryId, payload), http.RequestAborted).ConfigureAwait(false);
        }
        catch (WorkUnavailableException e)
        {
            runtime.Metrics.RecordWebhook(source, "unavailable");
            http.Response.Headers.RetryAfter = "5";
            return Results.Json(new ApiError("unavailable", e.Message), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (outcome == DeliveryOutcome.Duplicate)
        {
            runtime.Metrics.RecordWebhook(source, "duplicate");
            log.LogInformation("Ignored redelivery {DeliveryId} of {Source}", deliveryId, source);
            return Results.Json(new WebhookAnswer("duplicate", deliveryId));
        }

        runtime.Metrics.RecordWebhook(source, "accepted");
        return Results.Json(new WebhookAnswer("accepted", deliveryId), statusCode: StatusCodes.Status202Accepted);
    }
}

/// <summary>Answer to an accepted webhook.</summary>
/// <param name="Status"><c>accepted</c> (journaled now) or <c>duplicate</c> (journaled before, not processed again).</param>
/// <param name="DeliveryId">The delivery id as recorded.</param>
public sealed record WebhookAnswer(string Status, string DeliveryId);
