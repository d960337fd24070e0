namespace Autopilot.Simulator.N8n;

/// <summary>An execution the fake holds.</summary>
/// <param name="Id">Numeric id, as n8n assigns them.</param>
/// <param name="WorkflowId">The workflow that ran.</param>
/// <param name="Status">n8n status text: success, error, crashed, canceled, running, waiting, new.</param>
/// <param name="Mode">What started it: webhook, trigger, retry, manual, …</param>
/// <param name="StartedAt">Start time.</param>
/// <param name="StoppedAt">End time; null while running.</param>
/// <param name="RetryOf">The execution this retried.</param>
/// <param name="RetrySuccessId">The retry of this one that succeeded.</param>
public sealed record N8nFakeExecution(
    long Id,
    string WorkflowId,
    string Status,
    string Mode,
    DateTimeOffset StartedAt,
    DateTimeOffset? StoppedAt,
    long? RetryOf = null,
    long? RetrySuccessId = null);
