using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Fallback;

/// <summary>
/// Do the task of a failed workflow another way: the router maps the workflow to its task and tries the configured
/// tiers in order until one succeeds. Answered with one <see cref="WorkerResult"/> whose Detail (or Error) lists every attempt.
/// </summary>
/// <param name="ActionId">Action id.</param>
/// <param name="WorkflowId">The failed workflow.</param>
/// <param name="ExecutionId">Its failed execution (empty when n8n never recorded one, e.g. a 504 at the gateway).</param>
/// <param name="Reason">Why it is being routed (the detected failure), redacted.</param>
/// <param name="WorkflowName">The workflow's name, when known (the task table may be keyed by name).</param>
public sealed record RouteFallback(string ActionId, string WorkflowId, string ExecutionId, string Reason, string? WorkflowName = null) : IWorkerCommand;

/// <summary>One try of one tier.</summary>
/// <param name="Tier">Tier name.</param>
/// <param name="Kind">Tier kind.</param>
/// <param name="Success">Whether it did the task.</param>
/// <param name="Duration">How long it took (the tier's timeout when it timed out).</param>
/// <param name="Detail">What happened, redacted.</param>
public sealed record FallbackAttempt(string Tier, FallbackTierKind Kind, bool Success, TimeSpan Duration, string Detail)
{
    /// <summary>One line for audit details and alerts.</summary>
    public override string ToString() =>
        $"{Tier} ({Kind.ToString().ToLowerInvariant()}) {(Success ? "succeeded" : "failed")} in {Duration.TotalSeconds:0.###}s: {Detail}";
}

/// <summary>What a tier is asked to do.</summary>
/// <param name="Task">The task name from the task table.</param>
/// <param name="WorkflowId">The failed workflow.</param>
/// <param name="ExecutionId">The failed execution.</param>
/// <param name="Reason">Why.</param>
public sealed record FallbackJob(string Task, string WorkflowId, string ExecutionId, string Reason);
