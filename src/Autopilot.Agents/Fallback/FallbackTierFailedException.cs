namespace Autopilot.Agents.Fallback;

/// <summary>A fallback tier ran but did not do the task (non-2xx, classified n8n failure, non-zero exit, process not startable).</summary>
/// <remarks>The message is built from redacted text only.</remarks>
public sealed class FallbackTierFailedException(string tier, string message) : Exception($"tier {tier}: {message}")
{
    /// <summary>The tier that failed.</summary>
    public string Tier { get; } = tier;
}
