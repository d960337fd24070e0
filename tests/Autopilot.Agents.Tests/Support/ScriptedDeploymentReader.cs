using Autopilot.Platforms.Railway;

namespace Autopilot.Agents.Tests.Support;

/// <summary>
/// A Railway client for monitor unit tests whose single deployment is in whatever status the test sets — including
/// statuses the simulator never produces (NEEDS_APPROVAL, SLEEPING, an unknown one). Only reading is supported: the
/// monitor never changes anything.
/// </summary>
public sealed class ScriptedDeploymentReader(string deploymentId, DeploymentStatus initial) : IRailwayClient
{
    private volatile int _reads;
    private volatile Exception? _failure;

    /// <summary>The status the next read returns.</summary>
    public DeploymentStatus Status { get; set; } = initial;

    /// <summary>Reads served (or failed) so far.</summary>
    public int Reads => _reads;

    /// <summary>Makes reads fail with <paramref name="failure"/> until cleared with null.</summary>
    public void FailReads(Exception? failure) => _failure = failure;

    /// <inheritdoc />
    public Task<RailwayDeployment> GetDeploymentAsync(string id, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        if (_failure is { } failure)
        {
            return Task.FromException<RailwayDeployment>(failure);
        }

        var now = DateTimeOffset.UnixEpoch;
        return id == deploymentId
            ? Task.FromResult(new RailwayDeployment(id, Status, "project", "environment", "service", now, now, now, "abc1234", null, null, true, true))
            : Task.FromException<RailwayDeployment>(new InvalidOperationException($"unexpected deployment {id}"));
    }

    private static Task<T> NotRead<T>() => Task.FromException<T>(new InvalidOperationException("the monitor only reads its deployment"));

    /// <inheritdoc />
    public Task<string> DeployServiceAsync(string serviceId, string environmentId, string? commitSha, CancellationToken cancellationToken = default) => NotRead<string>();

    /// <inheritdoc />
    public Task<bool> RedeployServiceAsync(string serviceId, string environmentId, CancellationToken cancellationToken = default) => NotRead<bool>();

    /// <inheritdoc />
    public Task<RailwayDeployment> RedeployAsync(string deploymentId, bool usePreviousImageTag = false, CancellationToken cancellationToken = default) => NotRead<RailwayDeployment>();

    /// <inheritdoc />
    public Task<RailwayDeploymentPage> ListDeploymentsAsync(DeploymentFilter filter, int first = 20, string? after = null, CancellationToken cancellationToken = default) =>
        NotRead<RailwayDeploymentPage>();

    /// <inheritdoc />
    public IAsyncEnumerable<RailwayDeployment> ListAllDeploymentsAsync(DeploymentFilter filter, int pageSize = 50, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("the monitor only reads its deployment");

    /// <inheritdoc />
    public Task<RailwayDeployment?> FindLastSuccessfulDeploymentAsync(string serviceId, string environmentId, CancellationToken cancellationToken = default) =>
        NotRead<RailwayDeployment?>();

    /// <inheritdoc />
    public Task<bool> RollbackAsync(string deploymentId, CancellationToken cancellationToken = default) => NotRead<bool>();

    /// <inheritdoc />
    public Task<bool> RestartAsync(string deploymentId, CancellationToken cancellationToken = default) => NotRead<bool>();

    /// <inheritdoc />
    public Task<bool> StopAsync(string deploymentId, CancellationToken cancellationToken = default) => NotRead<bool>();

    /// <inheritdoc />
    public Task<bool> CancelAsync(string deploymentId, CancellationToken cancellationToken = default) => NotRead<bool>();

    /// <inheritdoc />
    public Task<IReadOnlyList<RailwayLogLine>> GetBuildLogsAsync(string deploymentId, LogQuery? query = null, CancellationToken cancellationToken = default) =>
        NotRead<IReadOnlyList<RailwayLogLine>>();

    /// <inheritdoc />
    public Task<IReadOnlyList<RailwayLogLine>> GetDeploymentLogsAsync(string deploymentId, LogQuery? query = null, CancellationToken cancellationToken = default) =>
        NotRead<IReadOnlyList<RailwayLogLine>>();

    /// <inheritdoc />
    public Task<IReadOnlyList<RailwayMetricSeries>> GetMetricsAsync(MetricsQuery query, CancellationToken cancellationToken = default) =>
        NotRead<IReadOnlyList<RailwayMetricSeries>>();

    /// <inheritdoc />
    public Task<bool> UpsertVariableAsync(VariableUpsert variable, CancellationToken cancellationToken = default) => NotRead<bool>();
}
