using Autopilot.Actors.Sql.Cluster;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Runtime;

namespace Autopilot.Daemon.Cluster;

/// <summary>
/// The route of a cluster node: work is stored in the durable inbox (committed before the sender is answered) and
/// the leader, wherever it runs, drains it. A command's answer is the outcome the leader recorded, awaited for up to
/// <c>autopilot.daemon.ask-timeout</c>; past that the command stays queued and is still executed.
/// </summary>
/// <param name="inbox">The cluster's inbox.</param>
/// <param name="accepting">False while the node is starting or stopping: nothing is taken then.</param>
/// <param name="askTimeout">How long a command waits for its outcome.</param>
/// <param name="pollInterval">How often the outcome is looked for.</param>
/// <param name="time">Measures the wait.</param>
public sealed class InboxWorkRoute(DurableInbox inbox, Func<bool> accepting, TimeSpan askTimeout, TimeSpan pollInterval, TimeProvider time) : IWorkRoute
{
    /// <inheritdoc />
    public async Task<DeliveryOutcome> SubmitDeliveryAsync(ReceiveDelivery delivery, CancellationToken cancellationToken)
    {
        var stored = await EnqueueAsync(InboxWork.Delivery(delivery), "the delivery", cancellationToken).ConfigureAwait(false);
        return stored.Duplicate ? DeliveryOutcome.Duplicate : DeliveryOutcome.Accepted;
    }

    /// <inheritdoc />
    public Task RecordSecurityEventAsync(SecurityEventRecorded securityEvent, CancellationToken cancellationToken) =>
        EnqueueAsync(InboxWork.SecurityEvent(securityEvent), "the security event", cancellationToken);

    /// <inheritdoc />
    public async Task<ControlAck> SendCommandAsync(object command, CancellationToken cancellationToken)
    {
        InboxEnqueueResult stored;
        try
        {
            stored = await EnqueueAsync(InboxWork.Command(command), "the command", cancellationToken).ConfigureAwait(false);
        }
        catch (WorkUnavailableException e)
        {
            throw new OrchestratorUnavailableException(false, e.Message);
        }

        var started = time.GetTimestamp();
        while (true)
        {
            InboxEntryState? state = null;
            try
            {
                state = await inbox.GetStateAsync(stored.EntryId, cancellationToken).ConfigureAwait(false);
            }
            catch (ClusterUnavailableException)
            {
                // The command is stored; keep looking for its outcome until the deadline.
            }

            if (state is { Done: true })
            {
                var outcome = InboxWork.ReadCommandOutcome(stored.EntryId, state.Outcome);
                return outcome.TimedOut
                    ? throw new OrchestratorUnavailableException(true, $"The leader's orchestrator did not answer in time: {outcome.Message}")
                    : new ControlAck(outcome.Accepted, outcome.Message);
            }

            if (time.GetElapsedTime(started) >= askTimeout)
            {
                throw new OrchestratorUnavailableException(true,
                    $"No leader handled the command within {askTimeout} (autopilot.daemon.ask-timeout); it stays queued as inbox entry {stored.EntryId} and will still be executed.");
            }

            await Task.Delay(pollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<InboxEnqueueResult> EnqueueAsync(InboxMessage message, string what, CancellationToken cancellationToken)
    {
        if (!accepting())
        {
            throw new WorkUnavailableException("The daemon is starting or stopping; send it again later.");
        }

        try
        {
            return await inbox.EnqueueAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterUnavailableException e)
        {
            throw new WorkUnavailableException($"The cluster database did not store {what}; send it again later.", e);
        }
    }
}
