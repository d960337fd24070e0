using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Intake;

namespace Autopilot.Daemon.Runtime;

/// <summary>
/// Hands work to the intake and orchestrator actors of this process: the single node's route from the HTTP edge, and
/// the cluster leader's route from the durable inbox.
/// </summary>
/// <param name="intake">The webhook intake, or null while it is not running.</param>
/// <param name="orchestrator">The orchestrator, or null while it is not running.</param>
/// <param name="askTimeout">How long a command waits for the orchestrator (<c>autopilot.daemon.ask-timeout</c>).</param>
public sealed class ActorWorkRoute(Func<IActorRef?> intake, Func<IActorRef?> orchestrator, TimeSpan askTimeout) : IWorkRoute
{
    /// <summary>How long the intake may take to journal a delivery before the sender is told to deliver again.</summary>
    public static readonly TimeSpan IntakeTimeout = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public async Task<DeliveryOutcome> SubmitDeliveryAsync(ReceiveDelivery delivery, CancellationToken cancellationToken)
    {
        var answer = await AskIntakeAsync(delivery, "The journal did not confirm the delivery in time; deliver again later.", cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            DeliveryAccepted => DeliveryOutcome.Accepted,
            DeliveryDuplicate => DeliveryOutcome.Duplicate,
            DeliveryNotStored notStored => throw new WorkUnavailableException($"The journal did not store the delivery ({notStored.Reason}); deliver again later."),
            IntakeClosed => throw new WorkUnavailableException("The daemon is stopping; deliver again later."),
            _ => throw new InvalidOperationException($"The intake answered {answer.GetType().Name}."),
        };
    }

    /// <inheritdoc />
    public async Task RecordSecurityEventAsync(SecurityEventRecorded securityEvent, CancellationToken cancellationToken)
    {
        var answer = await AskIntakeAsync(new RecordSecurityEvent(securityEvent), "The journal did not confirm the security event in time.", cancellationToken).ConfigureAwait(false);
        if (answer is IntakeClosed)
        {
            throw new WorkUnavailableException("The daemon is stopping.");
        }
    }

    /// <inheritdoc />
    public async Task<ControlAck> SendCommandAsync(object command, CancellationToken cancellationToken)
    {
        var target = orchestrator() ?? throw new OrchestratorUnavailableException(false, "The orchestrator is not running yet (the daemon is starting or stopping).");
        try
        {
            return await target.Ask<ControlAck>(command, askTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new OrchestratorUnavailableException(true, $"The orchestrator did not answer within {askTimeout} (autopilot.daemon.ask-timeout).");
        }
    }

    private async Task<object> AskIntakeAsync(object message, string timeoutMessage, CancellationToken cancellationToken)
    {
        var target = intake() ?? throw new WorkUnavailableException("The daemon is starting or stopping; deliver again later.");
        try
        {
            return await target.Ask(message, IntakeTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new WorkUnavailableException(timeoutMessage, e);
        }
    }
}
