using Autopilot.Agents.Alerts;
using Autopilot.Agents.Configuration;

namespace Autopilot.Agents.N8n;

/// <summary>Settings of the n8n worker (<c>autopilot.agents.n8n</c>).</summary>
/// <param name="ExecutionTimeout">A workflow run slower than this is an execution-timeout failure; a webhook still unanswered a second later is abandoned.</param>
/// <param name="PollInterval">How often failed executions are looked for through the API; zero disables polling.</param>
/// <param name="RetryBeforeFallback">Recovery first retries the failed execution through the API (when one was recorded) before the fallback tiers.</param>
public sealed record N8nSettings(TimeSpan ExecutionTimeout, TimeSpan PollInterval, bool RetryBeforeFallback)
{
    /// <summary>The defaults (the values <see cref="FromConfig"/> uses for missing keys).</summary>
    public static N8nSettings Default { get; } = new(N8nFailureClassifier.DefaultExecutionTimeout, TimeSpan.FromMinutes(1), true);

    /// <summary>Reads the <c>n8n</c> section; missing keys take the <see cref="Default"/> values.</summary>
    /// <exception cref="SettingException">A malformed key, named in the exception.</exception>
    public static N8nSettings FromConfig(ConfigSection n8n)
    {
        ArgumentNullException.ThrowIfNull(n8n);
        var timeout = n8n.GetPositiveTimeSpan("execution-timeout", Default.ExecutionTimeout);

        var poll = n8n.GetTimeSpan("poll-interval", Default.PollInterval);
        if (poll < TimeSpan.Zero)
        {
            throw new SettingException(n8n.KeyOf("poll-interval"), "must not be negative (0 disables polling).");
        }

        return new N8nSettings(timeout, poll, n8n.GetBoolean("retry-before-fallback", Default.RetryBeforeFallback));
    }
}
