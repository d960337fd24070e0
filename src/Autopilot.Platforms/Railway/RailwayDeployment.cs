namespace Autopilot.Platforms.Railway;

/// <summary>A Railway deployment as the autopilot sees it.</summary>
/// <param name="Id">Deployment id.</param>
/// <param name="Status">Current status; <see cref="DeploymentStatus.Unknown"/> for values newer than this client.</param>
/// <param name="ProjectId">Owning project.</param>
/// <param name="EnvironmentId">Environment it runs in.</param>
/// <param name="ServiceId">Service it belongs to (Railway allows null for legacy plugin deployments).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">Last change of any field.</param>
/// <param name="StatusUpdatedAt">Last status change, when Railway reports it.</param>
/// <param name="CommitHash">The commit it was built from, taken from the deployment's <c>meta</c>, when known.</param>
/// <param name="Url">Public URL, when the service has one.</param>
/// <param name="StaticUrl">Static URL, when the service has one.</param>
/// <param name="CanRedeploy">Whether Railway allows a redeploy of it.</param>
/// <param name="CanRollback">Whether Railway allows rolling back to it.</param>
public sealed record RailwayDeployment(
    string Id,
    DeploymentStatus Status,
    string ProjectId,
    string EnvironmentId,
    string? ServiceId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? StatusUpdatedAt,
    string? CommitHash,
    string? Url,
    string? StaticUrl,
    bool CanRedeploy,
    bool CanRollback);

/// <summary>One page of a deployment listing; pass <see cref="EndCursor"/> as <c>after</c> for the next.</summary>
public sealed record RailwayDeploymentPage(IReadOnlyList<RailwayDeployment> Deployments, string? EndCursor, bool HasNextPage);

/// <summary>Which deployments to list (maps to Railway's <c>DeploymentListInput</c>); unset fields do not filter.</summary>
public sealed record DeploymentFilter
{
    /// <summary>Only deployments of this project.</summary>
    public string? ProjectId { get; init; }

    /// <summary>Only deployments in this environment.</summary>
    public string? EnvironmentId { get; init; }

    /// <summary>Only deployments of this service.</summary>
    public string? ServiceId { get; init; }

    /// <summary>Only deployments in one of these statuses.</summary>
    public IReadOnlyList<DeploymentStatus>? StatusIn { get; init; }

    /// <summary>Exclude deployments in these statuses.</summary>
    public IReadOnlyList<DeploymentStatus>? StatusNotIn { get; init; }

    /// <summary>Include deleted deployments.</summary>
    public bool? IncludeDeleted { get; init; }
}
