using System.Text.Json.Nodes;
using Autopilot.Agents.N8n;
using Autopilot.Platforms.N8n;

namespace Autopilot.Agents.Alerts;

/// <summary>
/// Hands alerts to an n8n workflow (which relays them to Telegram) through its webhook, for deployments that keep the
/// bot token inside n8n. A 2xx whose body the n8n failure classifier calls a failure counts as not delivered.
/// </summary>
public sealed class N8nWebhookAlertChannel : IAlertChannel
{
    private readonly N8nClient _client;
    private readonly string _webhookPath;

    /// <summary>Creates the channel posting to <c>/webhook/{webhookPath}</c>.</summary>
    public N8nWebhookAlertChannel(N8nClient client, string webhookPath)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(webhookPath);
        _client = client;
        _webhookPath = webhookPath;
    }

    /// <inheritdoc />
    public string Name => AlertChannelNames.Telegram;

    /// <inheritdoc />
    public async Task DeliverAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var payload = new JsonObject
        {
            ["alertId"] = message.AlertId,
            ["severity"] = message.Severity.ToString().ToUpperInvariant(),
            ["title"] = message.Title,
            ["body"] = message.Body,
            ["fingerprint"] = message.Fingerprint,
            ["service"] = message.Service,
            ["text"] = TelegramAlertChannel.Format(message),
        };
        var response = await _client.TriggerWebhookAsync(_webhookPath, payload, cancellationToken: cancellationToken).ConfigureAwait(false);
        var kind = N8nFailureClassifier.Classify(response.Call);
        if (kind != N8nFailureKind.None)
        {
            throw new InvalidOperationException($"n8n alert webhook answered {response.Call.StatusCode} ({N8nFailureClassifier.NameOf(kind)}): {response.Call.BodySnippet}");
        }
    }
}
