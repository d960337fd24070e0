using Autopilot.Actors;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;

namespace Autopilot.Daemon.Runtime;

/// <summary>
/// The admin API's way to the orchestrator: commands go over the runtime's <see cref="IWorkRoute"/> (straight to the
/// local orchestrator, or through the durable inbox to the cluster's leader); status comes from the local orchestrator,
/// or, on a cluster standby that does not run it, from its journaled history. "Not there yet" and "no answer in time"
/// become typed outcomes the endpoints map to 503 and 504.
/// </summary>
public sealed class OrchestratorClient(DaemonRuntime runtime, TimeProvider time)
{
    // The standby's fold of the orchestrator's stream, advanced by what was written since the last status request:
    // the stream only grows, so each request reads only its new events instead of replaying it all.
    private readonly SemaphoreSlim _historyGate = new(1, 1);
    private OrchestratorHistory? _history;
    private long _historyPosition;

    /// <summary>Sends a control message and returns its acknowledgement.</summary>
    /// <exception cref="OrchestratorUnavailableException">The orchestrator is not running or did not answer in time.</exception>
    public Task<ControlAck> SendAsync(object control, CancellationToken cancellationToken) => runtime.WorkRoute.SendCommandAsync(control, cancellationToken);

    /// <summary>The orchestrator's current world model.</summary>
    /// <exception cref="OrchestratorUnavailableException">The orchestrator is not running (and this is no cluster standby) or did not answer in time.</exception>
    public async Task<OrchestratorStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var orchestrator = runtime.Orchestrator;
        if (orchestrator is null && runtime.Cluster is not null)
        {
            return await FromJournalAsync(cancellationToken).ConfigureAwait(false);
        }

        if (orchestrator is null)
        {
            throw new OrchestratorUnavailableException(false, "The orchestrator is not running yet (the daemon is starting or stopping).");
        }

        try
        {
            return await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), runtime.Settings.AskTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new OrchestratorUnavailableException(true, $"The orchestrator did not answer within {runtime.Settings.AskTimeout} (autopilot.daemon.ask-timeout).");
        }
    }

    /// <summary>Replays the orchestrator's stream as its own recovery would (the leader may be on another node).</summary>
    private async Task<OrchestratorStatus> FromJournalAsync(CancellationToken cancellationToken)
    {
        await _historyGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _history ??= new OrchestratorHistory(runtime.AgentsSettings);
            await foreach (var envelope in runtime.Query.CurrentEventsByPersistenceId(Orchestrator.DefaultPersistenceId, _historyPosition + 1, cancellationToken: cancellationToken)
                               .ConfigureAwait(false))
            {
                if (envelope.Event is IAuditEvent audit)
                {
                    _history.Apply(audit);
                }

                _historyPosition = envelope.SequenceNr;
            }

            return _history.Status(time.GetUtcNow());
        }
        finally
        {
            _historyGate.Release();
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
