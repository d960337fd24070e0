using Autopilot.Agents.Configuration;

namespace Autopilot.Agents.Tasks;

/// <summary>The operator task queue's limits (<c>autopilot.agents.tasks</c>).</summary>
/// <param name="DefaultTimeout">How long a task may run when its submitter names no timeout.</param>
/// <param name="MaxTimeout">The longest timeout a submitter may ask for (a longer one is refused, not shortened).</param>
/// <param name="RetainFinished">
/// Finished tasks kept for <c>GET /api/tasks</c> and idempotency keys; older ones are forgotten by the queue (their
/// events stay in the audit trail).
/// </param>
public sealed record TaskSettings(TimeSpan DefaultTimeout, TimeSpan MaxTimeout, int RetainFinished)
{
    /// <summary>What a queue built without settings uses: 10 minutes, at most 1 hour, 500 finished tasks kept.</summary>
    public static TaskSettings Default { get; } = new(TimeSpan.FromMinutes(10), TimeSpan.FromHours(1), 500);

    /// <summary>Reads <c>tasks.*</c> from the <c>autopilot.agents</c> section.</summary>
    /// <exception cref="SettingException">A missing or malformed key, named in the exception.</exception>
    public static TaskSettings FromConfig(ConfigSection agents)
    {
        ArgumentNullException.ThrowIfNull(agents);
        var timeout = agents.GetPositiveTimeSpan("tasks.default-timeout");

        var max = agents.GetTimeSpan("tasks.max-timeout");
        if (max < timeout)
        {
            throw new SettingException(agents.KeyOf("tasks.max-timeout"), "must be at least tasks.default-timeout.");
        }

        var retain = agents.GetIntAtLeast("tasks.retain-finished", 1);

        return new TaskSettings(timeout, max, retain);
    }
}
