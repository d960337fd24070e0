using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Metrics;

/// <summary>
/// Feeds <c>autopilot_actions_total</c>, <c>autopilot_alerts_sent_total</c> and
/// <c>autopilot_alert_deliveries_abandoned_total</c> from the audit trail as it is written,
/// so those counters agree with the journal by construction and the agents need no metrics code of their own.
/// Counts events recorded since this process started (Prometheus counters restart with the process).
/// </summary>
public sealed class AuditMetricsProjection(DaemonRuntime runtime, ILogger<AuditMetricsProjection> log) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await runtime.Started.WaitAsync(stoppingToken).ConfigureAwait(false);
        if (runtime.Orchestrator is null || runtime.Audit is not { } audit)
        {
            return;
        }

        try
        {
            // From the offset the process started at: what it wrote counts, however late this reader starts.
            await foreach (var envelope in audit.EventsByTag(AuditEvents.Tag, runtime.AuditCountFrom, stoppingToken).ConfigureAwait(false))
            {
                switch (envelope.Event)
                {
                    case ActionCompleted completed:
                        runtime.Metrics.RecordAction(completed.Worker, "success");
                        break;
                    case ActionFailed failed:
                        runtime.Metrics.RecordAction(failed.Worker, "failure");
                        break;
                    case AlertSent alert:
                        runtime.Metrics.RecordAlert(alert.Severity.ToString().ToLowerInvariant());
                        break;
                    case Autopilot.Agents.Alerts.AlertDeliveryAbandoned abandoned:
                        runtime.Metrics.RecordAlertAbandoned(abandoned.Channel);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
        catch (Exception e)
        {
            // The journal went away (shutdown closes it); metrics are best effort and must not stop the host.
            log.LogWarning("Audit metrics stopped: {Reason}", e.Message);
        }
    }
}
