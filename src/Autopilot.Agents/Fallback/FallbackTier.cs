namespace Autopilot.Agents.Fallback;

/// <summary>How a fallback tier does the work of a failed workflow.</summary>
public enum FallbackTierKind
{
    /// <summary>POST the job as JSON to an HTTP endpoint; any 2xx is success.</summary>
    Http,

    /// <summary>Run a local process (e.g. <c>systemctl start worker@task</c>); exit code 0 is success.</summary>
    Command,

    /// <summary>Call another n8n workflow or instance through its webhook; judged by the n8n failure classifier.</summary>
    N8n,
}

/// <summary>One configured way to do a workflow's task without it.</summary>
/// <param name="Name">The tier's name (its key in <c>fallback.tiers</c>), recorded with each attempt.</param>
/// <param name="Kind">How it runs.</param>
/// <param name="Timeout">How long an attempt may take before it counts as failed and the next tier is tried.</param>
/// <param name="Url">Endpoint of an <see cref="FallbackTierKind.Http"/> or <see cref="FallbackTierKind.N8n"/> tier.</param>
/// <param name="Command">
/// Executable and arguments of a <see cref="FallbackTierKind.Command"/> tier. <c>{task}</c> and <c>{workflow}</c> are
/// replaced inside arguments (never in the executable); each element stays exactly one argument and no shell is involved.
/// </param>
public sealed record FallbackTier(string Name, FallbackTierKind Kind, TimeSpan Timeout, Uri? Url, IReadOnlyList<string> Command);
