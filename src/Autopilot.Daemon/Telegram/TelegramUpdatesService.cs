using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Runtime;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Telegram;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Telegram;

/// <summary>
/// Brings Telegram's updates (approval button presses) to the durable intake. <c>updates = webhook</c> with a
/// <c>webhook-url</c>: registers it once at start with <c>setWebhook</c> and the <c>secret_token</c>; Telegram then POSTs to
/// <c>/webhooks/telegram</c>. <c>updates = polling</c>: asks <c>getUpdates</c> in a loop and stores each update exactly as
/// the webhook would (source <c>telegram</c>, delivery id = <c>update_id</c>); the offset moves past an update only
/// once the intake stored it, so a crash re-reads it and the intake's de-duplication drops the copy. Nothing to do
/// without a bot token.
/// </summary>
public sealed class TelegramUpdatesService(DaemonRuntime runtime, ILogger<TelegramUpdatesService> log) : BackgroundService
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var telegram = runtime.Settings.Platforms.Telegram;
        if (telegram.BotToken is null || (telegram.Updates == TelegramUpdates.Webhook && telegram.WebhookUrl is null))
        {
            return;
        }

        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var client = new TelegramBotClient(http, new TelegramBotOptions(telegram.BotToken, telegram.ApiUrl), runtime.Redactor, runtime.Time, log);
        try
        {
            if (telegram.Updates == TelegramUpdates.Webhook)
            {
                await client.SetWebhookAsync(telegram.WebhookUrl!, telegram.WebhookSecret!, ["callback_query"], stoppingToken).ConfigureAwait(false);
                log.LogInformation("Telegram webhook registered at {Url}", telegram.WebhookUrl);
                return;
            }

            await runtime.Started.WaitAsync(stoppingToken).ConfigureAwait(false);
            await PollAsync(client, telegram.PollTimeout, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (PlatformException e)
        {
            log.LogError("Telegram updates are not received: {Error}", e.Message);
        }
    }

    private async Task PollAsync(TelegramBotClient client, TimeSpan timeout, CancellationToken stoppingToken)
    {
        long? offset = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<TelegramUpdate> updates;
            try
            {
                updates = (await client.GetUpdatesAsync(offset, timeout, stoppingToken).ConfigureAwait(false)).Value;
            }
            catch (PlatformException e)
            {
                log.LogWarning("Telegram getUpdates failed: {Error}; trying again in {Pause}", e.Message, RetryPause);
                await Task.Delay(RetryPause, runtime.Time, stoppingToken).ConfigureAwait(false);
                continue;
            }

            foreach (var update in updates)
            {
                var kind = update.CallbackQuery is null ? "update" : "callback_query";
                try
                {
                    await runtime.WorkRoute.SubmitDeliveryAsync(
                        new ReceiveDelivery(ExternalEventSources.Telegram, kind, update.UpdateId.ToString(System.Globalization.CultureInfo.InvariantCulture), update.Json),
                        stoppingToken).ConfigureAwait(false);
                    offset = update.UpdateId + 1;
                }
                catch (WorkUnavailableException e)
                {
                    log.LogWarning("Telegram update {UpdateId} not stored ({Error}); asking again in {Pause}", update.UpdateId, e.Message, RetryPause);
                    await Task.Delay(RetryPause, runtime.Time, stoppingToken).ConfigureAwait(false);
                    break;
                }
            }
        }
    }
}
