using Autopilot.Agents.Configuration;
using Autopilot.Agents.Tasks;

namespace Autopilot.Agents.Orchestrator;

/// <summary>Settings of the OODA loop and its safety rails (<c>autopilot.agents.orchestrator</c> and <c>autopilot.agents.budget</c>).</summary>
/// <param name="CycleInterval">How often the loop observes on its own (events also trigger it).</param>
/// <param name="StartInDryRun">Start with dry-run on (decide and record, act on nothing).</param>
/// <param name="StartPaused">Start paused.</param>
/// <param name="MaxActionsPerService">Autonomous production-changing actions allowed per service within <paramref name="BudgetWindow"/>.</param>
/// <param name="BudgetWindow">The budget's sliding window.</param>
/// <param name="WorkerBackoffMin">Delay before a failed worker is started again the first time; doubles per consecutive failure.</param>
/// <param name="WorkerBackoffMax">Longest such delay; a worker that stayed up this long starts again from the minimum.</param>
/// <param name="SnapshotEvery">
/// Events between snapshots of the world model, which bound how much a restart or fail-over replays (0: never).
/// </param>
/// <param name="Approvals">Approvals: their timeout and who may decide in Telegram (null: <see cref="ApprovalSettings.Default"/>).</param>
/// <param name="Tasks">The operator task queue's limits (null: <see cref="TaskSettings.Default"/>).</param>
public sealed record OrchestratorSettings(
    TimeSpan CycleInterval, bool StartInDryRun, bool StartPaused, int MaxActionsPerService, TimeSpan BudgetWindow, TimeSpan WorkerBackoffMin, TimeSpan WorkerBackoffMax,
    int SnapshotEvery = 1000, ApprovalSettings? Approvals = null, TaskSettings? Tasks = null)
{
    /// <summary>The task queue's settings (<see cref="TaskSettings.Default"/> when none were given).</summary>
    public TaskSettings TasksOrDefault => Tasks ?? TaskSettings.Default;

    /// <summary>The approvals' settings (<see cref="ApprovalSettings.Default"/> when none were given).</summary>
    public ApprovalSettings ApprovalsOrDefault => Approvals ?? ApprovalSettings.Default;

    /// <summary>The delay before starting a worker again after its <paramref name="consecutiveFailures"/>-th failure in a row.</summary>
    public TimeSpan WorkerBackoff(int consecutiveFailures)
    {
        var delay = WorkerBackoffMin * Math.Pow(2, Math.Clamp(consecutiveFailures - 1, 0, 30));
        return delay > WorkerBackoffMax ? WorkerBackoffMax : delay;
    }

    /// <summary>Reads from the <c>autopilot.agents</c> section.</summary>
    /// <exception cref="SettingException">A missing or malformed key, named in the exception.</exception>
    public static OrchestratorSettings FromConfig(ConfigSection agents)
    {
        ArgumentNullException.ThrowIfNull(agents);
        var cycle = agents.GetPositiveTimeSpan("orchestrator.cycle-interval");

        var budget = agents.GetInt("budget.max-actions-per-service");
        if (budget < 0)
        {
            throw new SettingException(agents.KeyOf("budget.max-actions-per-service"), "must not be negative.");
        }

        var window = agents.GetPositiveTimeSpan("budget.window");

        var backoffMin = agents.GetTimeSpan("orchestrator.worker-backoff.min");
        var backoffMax = agents.GetTimeSpan("orchestrator.worker-backoff.max");
        if (backoffMin <= TimeSpan.Zero || backoffMax < backoffMin)
        {
            throw new SettingException(agents.KeyOf("orchestrator.worker-backoff"), "min must be positive and max at least min.");
        }

        var snapshotEvery = agents.GetInt("orchestrator.snapshot-every");
        if (snapshotEvery < 0)
        {
            throw new SettingException(agents.KeyOf("orchestrator.snapshot-every"), "must not be negative (0 turns snapshots off).");
        }

        return new OrchestratorSettings(
            cycle,
            agents.GetBoolean("orchestrator.dry-run"),
            agents.GetBoolean("orchestrator.paused"),
            budget,
            window,
            backoffMin,
            backoffMax,
            snapshotEvery,
            ApprovalSettings.FromConfig(agents),
            TaskSettings.FromConfig(agents));
    }
}
