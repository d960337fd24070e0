using System.Text.Json;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Http.Webhooks;
using Autopilot.Daemon.Runtime;
using Autopilot.Platforms.GitHub;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Daemon.Http;

/// <summary>
/// <c>/webhooks/github</c> (X-Hub-Signature-256), <c>/webhooks/railway</c> and <c>/webhooks/n8n</c> (shared secret),
/// <c>/webhooks/telegram</c> (the <c>secret_token</c> given to <c>setWebhook</c>, in X-Telegram-Bot-Api-Secret-Token).
/// Order of checks: the client's budgets (429: failed authentications, webhook requests), size (413), authenticity
/// (401, counted against the client, security event folded per client, endpoint and reason), UTF-8 and JSON (400),
/// then journal and hand-over (202, or 200 for a redelivery).
/// </summary>
public static class WebhookEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhooks/github", async (HttpContext http, DaemonRuntime runtime, WebhookIntakeGateway gateway) =>
        {
            const string source = ExternalEventSources.GitHub;
            if (gateway.Throttle(source, http) is { } throttled)
            {
                return throttled;
            }

            var secret = runtime.Settings.Platforms.GitHub.WebhookSecret;
            if (secret is null)
            {
                return gateway.NotConfigured(source, "autopilot.platforms.github.webhook-secret (GITHUB_WEBHOOK_SECRET)");
            }

            var body = await gateway.ReadBodyAsync(http);
            if (body is null)
            {
                return gateway.TooLarge(source);
            }

            var signature = http.Request.Headers[GitHubWebhookSignature.HeaderName].ToString();
            if (!GitHubWebhookSignature.Verify(secret, body, string.IsNullOrEmpty(signature) ? null : signature))
            {
                return await gateway.RejectAsync(source,
                    string.IsNullOrEmpty(signature) ? "webhook-signature-missing" : "webhook-signature-invalid",
                    $"The {GitHubWebhookSignature.HeaderName} header is {(string.IsNullOrEmpty(signature) ? "missing" : "not valid for this body")}.", http);
            }

            return await gateway.AcceptAsync(source, http.Request.Headers["X-GitHub-Event"], http.Request.Headers["X-GitHub-Delivery"], body, http);
        });

        app.MapPost("/webhooks/railway", (HttpContext http, DaemonRuntime runtime, WebhookIntakeGateway gateway) =>
            SharedSecretWebhookAsync(http, gateway, ExternalEventSources.Railway, runtime.Settings.Platforms.Railway.WebhookSecret,
                "autopilot.platforms.railway.webhook-secret (RAILWAY_WEBHOOK_SECRET)"));

        app.MapPost("/webhooks/n8n", (HttpContext http, DaemonRuntime runtime, WebhookIntakeGateway gateway) =>
            SharedSecretWebhookAsync(http, gateway, ExternalEventSources.N8n, runtime.Settings.Platforms.N8n.WebhookSecret,
                "autopilot.platforms.n8n.webhook-secret (N8N_WEBHOOK_SECRET)"));

        // Approval button presses: stored by the durable intake (delivery id = update_id) like every webhook, so a
        // press survives a fail-over; the orchestrator checks who pressed.
        app.MapPost("/webhooks/telegram", async (HttpContext http, DaemonRuntime runtime, WebhookIntakeGateway gateway) =>
        {
            const string source = ExternalEventSources.Telegram;
            if (gateway.Throttle(source, http) is { } throttled)
            {
                return throttled;
            }

            var secret = runtime.Settings.Platforms.Telegram.WebhookSecret;
            if (secret is null)
            {
                return gateway.NotConfigured(source, "autopilot.platforms.telegram.webhook-secret (TELEGRAM_WEBHOOK_SECRET)");
            }

            var body = await gateway.ReadBodyAsync(http);
            if (body is null)
            {
                return gateway.TooLarge(source);
            }

            var presented = http.Request.Headers[TelegramSecretToken.HeaderName].ToString();
            if (!TelegramSecretToken.Matches(presented, secret))
            {
                return await gateway.RejectAsync(source,
                    string.IsNullOrEmpty(presented) ? "webhook-token-missing" : "webhook-token-invalid",
                    $"The {TelegramSecretToken.HeaderName} header is {(string.IsNullOrEmpty(presented) ? "missing" : "wrong")}.", http);
            }

            var (eventType, updateId) = TelegramUpdateOf(body);
            return await gateway.AcceptAsync(source, eventType, updateId, body, http);
        });
        return app;
    }

    /// <summary>The update's kind (its field besides <c>update_id</c>, e.g. <c>callback_query</c>) and its <c>update_id</c>.</summary>
    private static (string? EventType, string? UpdateId) TelegramUpdateOf(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return ("unparsed", null);
            }

            var id = document.RootElement.TryGetProperty("update_id", out var updateId) && updateId.ValueKind == JsonValueKind.Number ? updateId.GetRawText() : null;
            var kind = document.RootElement.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => n != "update_id");
            return (kind, id);
        }
        catch (JsonException)
        {
            return ("unparsed", null); // AcceptAsync reports the malformed body.
        }
    }

    private static async Task<IResult> SharedSecretWebhookAsync(HttpContext http, WebhookIntakeGateway gateway, string source, string? secret, string key)
    {
        if (gateway.Throttle(source, http) is { } throttled)
        {
            return throttled;
        }

        if (secret is null)
        {
            return gateway.NotConfigured(source, key);
        }

        var body = await gateway.ReadBodyAsync(http);
        if (body is null)
        {
            return gateway.TooLarge(source);
        }

        if (!SharedSecret.Matches(http.Request, secret))
        {
            return SharedSecret.IsPresented(http.Request)
                ? await gateway.RejectAsync(source, "webhook-token-invalid", $"The {SharedSecret.HeaderName} header (or token parameter) is wrong.", http)
                : await gateway.RejectAsync(source, "webhook-token-missing", $"The {SharedSecret.HeaderName} header (or token parameter) is missing.", http);
        }

        // Neither platform sends a delivery id or event header of its own: take them from our headers if the sender
        // sets them, else from the payload's "type" field; a missing id falls back to the body's hash.
        var eventType = http.Request.Headers["X-Autopilot-Event"].ToString();
        if (string.IsNullOrEmpty(eventType))
        {
            eventType = PayloadType(body) ?? "";
        }

        return await gateway.AcceptAsync(source, eventType, http.Request.Headers["X-Autopilot-Delivery"], body, http);
    }

    private static string? PayloadType(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                ? type.GetString()
                : null;
        }
        catch (JsonException)
        {
            // AcceptAsync reports the malformed body.
            return "unparsed";
        }
    }
}
