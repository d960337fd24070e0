namespace Autopilot.Actors.Sql.Cluster;

/// <summary>
/// The cluster database could not be reached or did not answer; the outcome of the attempted operation is unknown
/// (it may or may not have been applied), so callers retry idempotent operations. The message names the database
/// without its password.
/// </summary>
public sealed class ClusterUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A claim or completion in the durable inbox carried a fencing token that is no longer the current, unexpired
/// token of the singleton lease: the caller lost leadership and must stop handling entries.
/// </summary>
/// <param name="leaseName">The singleton lease the token belongs to.</param>
/// <param name="presentedToken">The token the caller presented.</param>
/// <param name="currentToken">The lease's current token, or null when the lease was never acquired.</param>
/// <param name="currentIsValid">Whether the current token is still unexpired.</param>
public sealed class StaleLeaseTokenException(string leaseName, long presentedToken, long? currentToken, bool currentIsValid)
    : Exception($"Fencing token {presentedToken} of lease '{leaseName}' is stale: the lease's current token is {currentToken?.ToString() ?? "none"}{(currentIsValid ? "" : " (expired)")}.")
{
    /// <summary>The singleton lease the token belongs to.</summary>
    public string LeaseName { get; } = leaseName;

    /// <summary>The token the caller presented.</summary>
    public long PresentedToken { get; } = presentedToken;

    /// <summary>The lease's current token, or null when it was never acquired.</summary>
    public long? CurrentToken { get; } = currentToken;
}

/// <summary>The cluster has no member with the given node id (e.g. an operator's <c>down</c> named a typo).</summary>
public sealed class UnknownMemberException(string nodeId)
    : Exception($"The cluster has no member '{nodeId}'.")
{
    /// <summary>The node id that was asked for.</summary>
    public string NodeId { get; } = nodeId;
}
