namespace Autopilot.Platforms.Railway;

/// <summary>
/// The Railway operations the autopilot needs: deploy, inspect, repair (rollback, restart, redeploy), read logs
/// and metrics, set variables. Every call goes through the platform retry policy and fails with a
/// <see cref="Http.PlatformException"/> (GraphQL errors as <see cref="RailwayGraphQLException"/>).
/// </summary>
public interface IRailwayClient
{
    /// <summary>Deploys a service instance (<c>serviceInstanceDeployV2</c>), optionally at a commit; returns the new deployment id.</summary>
    Task<string> DeployServiceAsync(string serviceId, string environmentId, string? commitSha, CancellationToken cancellationToken = default);

    /// <summary>Redeploys a service instance's latest deployment (<c>serviceInstanceRedeploy</c>); false when Railway declined.</summary>
    Task<bool> RedeployServiceAsync(string serviceId, string environmentId, CancellationToken cancellationToken = default);

    /// <summary>Redeploys a specific deployment (<c>deploymentRedeploy</c>), returning the new deployment.</summary>
    Task<RailwayDeployment> RedeployAsync(string deploymentId, bool usePreviousImageTag = false, CancellationToken cancellationToken = default);

    /// <summary>Reads one deployment.</summary>
    Task<RailwayDeployment> GetDeploymentAsync(string deploymentId, CancellationToken cancellationToken = default);

    /// <summary>One page of deployments, newest first; pass the previous page's <c>EndCursor</c> as <paramref name="after"/>.</summary>
    Task<RailwayDeploymentPage> ListDeploymentsAsync(DeploymentFilter filter, int first = 20, string? after = null, CancellationToken cancellationToken = default);

    /// <summary>All deployments matching <paramref name="filter"/>, newest first, fetching pages as the caller enumerates.</summary>
    IAsyncEnumerable<RailwayDeployment> ListAllDeploymentsAsync(DeploymentFilter filter, int pageSize = 50, CancellationToken cancellationToken = default);

    /// <summary>The most recent deployment of a service in an environment whose status is SUCCESS, or null.</summary>
    Task<RailwayDeployment?> FindLastSuccessfulDeploymentAsync(string serviceId, string environmentId, CancellationToken cancellationToken = default);

    /// <summary>Rolls the service back to <paramref name="deploymentId"/> (<c>deploymentRollback</c>); false when Railway declined.</summary>
    Task<bool> RollbackAsync(string deploymentId, CancellationToken cancellationToken = default);

    /// <summary>Restarts a deployment's instances (<c>deploymentRestart</c>); false when Railway declined.</summary>
    Task<bool> RestartAsync(string deploymentId, CancellationToken cancellationToken = default);

    /// <summary>Stops a running deployment (<c>deploymentStop</c>); false when Railway declined.</summary>
    Task<bool> StopAsync(string deploymentId, CancellationToken cancellationToken = default);

    /// <summary>Cancels an in-progress deployment (<c>deploymentCancel</c>); false when Railway declined.</summary>
    Task<bool> CancelAsync(string deploymentId, CancellationToken cancellationToken = default);

    /// <summary>Build log lines of a deployment.</summary>
    Task<IReadOnlyList<RailwayLogLine>> GetBuildLogsAsync(string deploymentId, LogQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Runtime log lines of a deployment.</summary>
    Task<IReadOnlyList<RailwayLogLine>> GetDeploymentLogsAsync(string deploymentId, LogQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Metric series (CPU, memory, …) for a scope and window.</summary>
    Task<IReadOnlyList<RailwayMetricSeries>> GetMetricsAsync(MetricsQuery query, CancellationToken cancellationToken = default);

    /// <summary>Creates or updates a variable (<c>variableUpsert</c>); the value is registered as a secret first.</summary>
    Task<bool> UpsertVariableAsync(VariableUpsert variable, CancellationToken cancellationToken = default);
}
