using System.Text.Json;
using Autopilot.Actors;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Metrics;
using Autopilot.Daemon.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Http.Webhooks;

/// <summary>
/// The steps every webhook source shares once its own authentication is done: size limit, JSON check, journal via the
/// intake actor (before answering), de-duplication, and the answer. Also records rejected deliveries as security events.
/// </summary>
public sealed class WebhookIntakeGateway(DaemonRuntime runtime, TimeProvider time, ILogger<WebhookIntakeGateway> log)
{
    private static readonly TimeSpan IntakeTimeout = TimeSpan.FromSeconds(10);

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

    /// <summary>Journals a security event for a rejected delivery and answers 401.</summary>
    public async Task<IResult> RejectAsync(string source, string kind, string detail, HttpContext http)
    {
        runtime.Metrics.RecordWebhook(source, "unauthorized");
        var remote = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        log.LogWarning("Rejected {Source} webhook from {Remote}: {Kind}", source, remote, kind);
        var intake = runtime.Intake;
        if (intake is not null)
        {
            var evt = new SecurityEventRecorded(kind, $"webhooks/{source}", $"{detail} (from {remote})", time.GetUtcNow());
            try
            {
                await intake.Ask<SecurityEventStored>(new RecordSecurityEvent(evt), IntakeTimeout, http.RequestAborted).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                log.LogError("Could not journal the security event {Kind} for {Source}: intake did not answer", kind, source);
            }
        }

        http.Response.Headers.WWWAuthenticate = "Signature";
        return Results.Json(new ApiError("unauthorized", detail), statusCode: StatusCodes.Status401Unauthorized);
    }

    /// <summary>Parses, journals and hands over a verified delivery; answers 202 (new), 200 (redelivery), 400 or 503.</summary>
    public async Task<IResult> AcceptAsync(string source, string? eventType, string? deliveryId, byte[] body, HttpContext http)
    {
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
        var intake = runtime.Intake;
        if (intake is null)
        {
            runtime.Metrics.RecordWebhook(source, "unavailable");
            http.Response.Headers.RetryAfter = "5";
            return Results.Json(new ApiError("unavailable", "The daemon is starting or stopping; deliver again later."), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        object answer;
        try
        {
            answer = await intake.Ask(new ReceiveDelivery(source, eventType.Trim(), deliveryId, payload), IntakeTimeout, http.RequestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            runtime.Metrics.RecordWebhook(source, "unavailable");
            http.Response.Headers.RetryAfter = "5";
            return Results.Json(new ApiError("unavailable", "The journal did not confirm the delivery in time; deliver again later."), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        switch (answer)
        {
            case DeliveryAccepted:
                runtime.Metrics.RecordWebhook(source, "accepted");
                return Results.Json(new WebhookAnswer("accepted", deliveryId), statusCode: StatusCodes.Status202Accepted);
            case DeliveryDuplicate:
                runtime.Metrics.RecordWebhook(source, "duplicate");
                log.LogInformation("Ignored redelivery {DeliveryId} of {Source}", deliveryId, source);
                return Results.Json(new WebhookAnswer("duplicate", deliveryId));
            default:
                throw new InvalidOperationException($"The intake answered {answer.GetType().Name}.");
        }
    }
}

/// <summary>Answer to an accepted webhook.</summary>
/// <param name="Status"><c>accepted</c> (journaled now) or <c>duplicate</c> (journaled before, not processed again).</param>
/// <param name="DeliveryId">The delivery id as recorded.</param>
public sealed record WebhookAnswer(string Status, string DeliveryId);
