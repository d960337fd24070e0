using Akka.Actor;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tasks;

namespace Autopilot.Daemon.Runtime;

/// <summary>
/// The admin API's way to the orchestrator: commands go over the runtime's <see cref="IWorkRoute"/>, status is asked of
/// the orchestrator with the configured timeout. "Not there yet" and "no answer in time" become typed outcomes the
/// endpoints map to 503 and 504.
/// </summary>
public sealed class OrchestratorClient(DaemonRuntime runtime)
{
    /// <summary>Sends a control message and returns its acknowledgement.</summary>
    /// <exception cref="OrchestratorUnavailableException">The orchestrator is not running or did not answer in time.</exception>
    public Task<ControlAck> SendAsync(object control, CancellationToken cancellationToken) => runtime.WorkRoute.SendCommandAsync(control, cancellationToken);

    /// <summary>The orchestrator's current world model.</summary>
    /// <exception cref="OrchestratorUnavailableException">The orchestrator is not running or did not answer in time.</exception>
    public Task<OrchestratorStatus> StatusAsync(CancellationToken cancellationToken) => AskAsync<OrchestratorStatus>(new GetOrchestratorStatus(), cancellationToken);

    /// <summary>The approvals waiting for a human.</summary>
    /// <exception cref="OrchestratorUnavailableException">The orchestrator is not running or did not answer in time.</exception>
    public Task<PendingApprovals> PendingApprovalsAsync(CancellationToken cancellationToken) => AskAsync<PendingApprovals>(new GetPendingApprovals(), cancellationToken);

    /// <summary>
    /// Has the readiness gate assess a commit now, deploying nothing: a <see cref="ReadinessAssessed"/>, or a refusing
    /// <see cref="ControlAck"/>. The gate reads GitHub first, so it gets twice the usual answer time.
    /// </summary>
    /// <exception cref="OrchestratorUnavailableException">The orchestrator is not running or did not answer in time.</exception>
    public Task<object> AssessAsync(AssessReadiness assess, CancellationToken cancellationToken) =>
        AskAsync<object>(assess, cancellationToken, runtime.Settings.AskTimeout * 2);

    /// <summary>
    /// Asks the operator task queue (the orchestrator forwards to it) and returns its answer: a <c>TaskAccepted</c>,
    /// <c>TaskRejected</c>, <c>TaskList</c>, <c>TaskDetail</c>, <c>TaskCancelAnswer</c> or <c>TaskNotFound</c>.
    /// </summary>
    /// <exception cref="OrchestratorUnavailableException">The orchestrator is not running or did not answer in time.</exception>
    public Task<object> AskTasksAsync(ITaskQueueRequest request, CancellationToken cancellationToken) => AskAsync<object>(request, cancellationToken);

    private async Task<T> AskAsync<T>(object query, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var orchestrator = runtime.Orchestrator
            ?? throw new OrchestratorUnavailableException(false, "The orchestrator is not running yet (the daemon is starting or stopping).");
        var limit = timeout ?? runtime.Settings.AskTimeout;
        try
        {
            return await orchestrator.Ask<T>(query, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new OrchestratorUnavailableException(true, $"The orchestrator did not answer within {limit} (autopilot.daemon.ask-timeout).");
        }
    }
}

/// <summary>The orchestrator could not be asked.</summary>
/// <param name="timedOut">True when it exists but did not answer in time.</param>
/// <param name="message">What happened.</param>
public sealed class OrchestratorUnavailableException(bool timedOut, string message) : Exception(message)
{
    /// <summary>True when it exists but did not answer in time (504), false when it is not running (503).</summary>
    public bool TimedOut { get; } = timedOut;
}
