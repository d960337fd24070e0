namespace Autopilot.Simulator.Railway;

/// <summary>
/// The slice of Railway's schema the fake implements: type → field → (type, composite?, arguments). Names and
/// argument lists are copied from the published schema; the fake rejects anything outside this slice with the
/// same validation error a GraphQL server gives for an unknown field, so a client can never "pass" by sending
/// something the fake merely ignores.
/// </summary>
internal static class RailwayFakeSchema
{
    public sealed record FieldSpec(string Type, bool Composite, IReadOnlySet<string> Arguments);

    private static FieldSpec Scalar(string type) => new(type, false, new HashSet<string>());

    private static FieldSpec Object(string type, params string[] arguments) => new(type, true, arguments.ToHashSet());

    private static FieldSpec ScalarWithArgs(string type, params string[] arguments) => new(type, false, arguments.ToHashSet());

    private static readonly string[] LogArguments = ["deploymentId", "limit", "filter", "startDate", "endDate"];
    private static readonly string[] PagingArguments = ["first", "after", "last", "before"];

    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, FieldSpec>> Types =
        new Dictionary<string, IReadOnlyDictionary<string, FieldSpec>>
        {
            ["Query"] = new Dictionary<string, FieldSpec>
            {
                ["deployment"] = Object("Deployment", "id"),
                ["deployments"] = Object("QueryDeploymentsConnection", ["input", .. PagingArguments]),
                ["buildLogs"] = Object("Log", LogArguments),
                ["deploymentLogs"] = Object("Log", LogArguments),
                ["metrics"] = Object("MetricsResult", "averagingWindowSeconds", "endDate", "environmentId", "groupBy", "includeDeleted",
                    "measurements", "projectId", "sampleRateSeconds", "serviceId", "startDate", "volumeId", "volumeInstanceExternalId", "workspaceId"),
            },
            ["Mutation"] = new Dictionary<string, FieldSpec>
            {
                ["serviceInstanceDeployV2"] = ScalarWithArgs("String", "commitSha", "environmentId", "serviceId"),
                ["serviceInstanceRedeploy"] = ScalarWithArgs("Boolean", "environmentId", "serviceId"),
                ["deploymentRedeploy"] = Object("Deployment", "id", "usePreviousImageTag"),
                ["deploymentRollback"] = ScalarWithArgs("Boolean", "id"),
                ["deploymentRestart"] = ScalarWithArgs("Boolean", "id"),
                ["deploymentStop"] = ScalarWithArgs("Boolean", "id"),
                ["deploymentCancel"] = ScalarWithArgs("Boolean", "id"),
                ["variableUpsert"] = ScalarWithArgs("Boolean", "input"),
            },
            ["Deployment"] = new Dictionary<string, FieldSpec>
            {
                ["id"] = Scalar("ID"),
                ["status"] = Scalar("DeploymentStatus"),
                ["projectId"] = Scalar("String"),
                ["environmentId"] = Scalar("String"),
                ["serviceId"] = Scalar("String"),
                ["createdAt"] = Scalar("DateTime"),
                ["updatedAt"] = Scalar("DateTime"),
                ["statusUpdatedAt"] = Scalar("DateTime"),
                ["meta"] = Scalar("DeploymentMeta"),
                ["url"] = Scalar("String"),
                ["staticUrl"] = Scalar("String"),
                ["canRedeploy"] = Scalar("Boolean"),
                ["canRollback"] = Scalar("Boolean"),
                ["deploymentStopped"] = Scalar("Boolean"),
                ["snapshotId"] = Scalar("String"),
                ["suggestAddServiceDomain"] = Scalar("Boolean"),
            },
            ["QueryDeploymentsConnection"] = new Dictionary<string, FieldSpec>
            {
                ["edges"] = Object("QueryDeploymentsConnectionEdge"),
                ["pageInfo"] = Object("PageInfo"),
            },
            ["QueryDeploymentsConnectionEdge"] = new Dictionary<string, FieldSpec>
            {
                ["cursor"] = Scalar("String"),
                ["node"] = Object("Deployment"),
            },
            ["PageInfo"] = new Dictionary<string, FieldSpec>
            {
                ["hasNextPage"] = Scalar("Boolean"),
                ["hasPreviousPage"] = Scalar("Boolean"),
                ["startCursor"] = Scalar("String"),
                ["endCursor"] = Scalar("String"),
            },
            ["Log"] = new Dictionary<string, FieldSpec>
            {
                ["timestamp"] = Scalar("String"),
                ["message"] = Scalar("String"),
                ["severity"] = Scalar("String"),
                ["attributes"] = Object("LogAttribute"),
                ["tags"] = Object("LogTags"),
            },
            ["LogAttribute"] = new Dictionary<string, FieldSpec>
            {
                ["key"] = Scalar("String"),
                ["value"] = Scalar("String"),
            },
            ["LogTags"] = new Dictionary<string, FieldSpec>
            {
                ["deploymentId"] = Scalar("String"),
                ["deploymentInstanceId"] = Scalar("String"),
                ["environmentId"] = Scalar("String"),
                ["projectId"] = Scalar("String"),
                ["serviceId"] = Scalar("String"),
                ["snapshotId"] = Scalar("String"),
            },
            ["MetricsResult"] = new Dictionary<string, FieldSpec>
            {
                ["measurement"] = Scalar("MetricMeasurement"),
                ["tags"] = Object("MetricTags"),
                ["values"] = Object("Metric"),
            },
            ["MetricTags"] = new Dictionary<string, FieldSpec>
            {
                ["deploymentId"] = Scalar("String"),
                ["deploymentInstanceId"] = Scalar("String"),
                ["environmentId"] = Scalar("String"),
                ["projectId"] = Scalar("String"),
                ["region"] = Scalar("String"),
                ["serviceId"] = Scalar("String"),
                ["volumeId"] = Scalar("String"),
                ["volumeInstanceId"] = Scalar("String"),
            },
            ["Metric"] = new Dictionary<string, FieldSpec>
            {
                ["ts"] = Scalar("Int"),
                ["value"] = Scalar("Float"),
            },
        };
}
