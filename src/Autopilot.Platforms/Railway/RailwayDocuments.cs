namespace Autopilot.Platforms.Railway;

/// <summary>
/// Every GraphQL document the client sends. Values always travel as variables, never spliced into the text,
/// so nothing user-supplied can change a document's meaning. All of them are checked against Railway's
/// published schema by the spec tests.
/// </summary>
internal static class RailwayDocuments
{
    private const string DeploymentFields = """
        fragment DeploymentFields on Deployment {
          id
          status
          projectId
          environmentId
          serviceId
          createdAt
          updatedAt
          statusUpdatedAt
          meta
          url
          staticUrl
          canRedeploy
          canRollback
        }
        """;

    private const string LogFields = "timestamp message severity attributes { key value }";

    public const string Deployment = """
        query Deployment($id: String!) {
          deployment(id: $id) { ...DeploymentFields }
        }
        """ + "\n" + DeploymentFields;

    public const string Deployments = """
        query Deployments($input: DeploymentListInput!, $first: Int, $after: String) {
          deployments(input: $input, first: $first, after: $after) {
            edges { cursor node { ...DeploymentFields } }
            pageInfo { hasNextPage endCursor }
          }
        }
        """ + "\n" + DeploymentFields;

    public const string ServiceInstanceDeploy = """
        mutation ServiceInstanceDeploy($serviceId: String!, $environmentId: String!, $commitSha: String) {
          serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId, commitSha: $commitSha)
        }
        """;

    public const string ServiceInstanceRedeploy = """
        mutation ServiceInstanceRedeploy($serviceId: String!, $environmentId: String!) {
          serviceInstanceRedeploy(serviceId: $serviceId, environmentId: $environmentId)
        }
        """;

    public const string DeploymentRedeploy = """
        mutation DeploymentRedeploy($id: String!, $usePreviousImageTag: Boolean) {
          deploymentRedeploy(id: $id, usePreviousImageTag: $usePreviousImageTag) { ...DeploymentFields }
        }
        """ + "\n" + DeploymentFields;

    public const string DeploymentRollback = "mutation DeploymentRollback($id: String!) { deploymentRollback(id: $id) }";

    public const string DeploymentRestart = "mutation DeploymentRestart($id: String!) { deploymentRestart(id: $id) }";

    public const string DeploymentStop = "mutation DeploymentStop($id: String!) { deploymentStop(id: $id) }";

    public const string DeploymentCancel = "mutation DeploymentCancel($id: String!) { deploymentCancel(id: $id) }";

    public const string BuildLogs = """
        query BuildLogs($deploymentId: String!, $limit: Int, $filter: String, $startDate: DateTime, $endDate: DateTime) {
          buildLogs(deploymentId: $deploymentId, limit: $limit, filter: $filter, startDate: $startDate, endDate: $endDate) {
        """ + LogFields + """
          }
        }
        """;

    public const string DeploymentLogs = """
        query DeploymentLogs($deploymentId: String!, $limit: Int, $filter: String, $startDate: DateTime, $endDate: DateTime) {
          deploymentLogs(deploymentId: $deploymentId, limit: $limit, filter: $filter, startDate: $startDate, endDate: $endDate) {
        """ + LogFields + """
          }
        }
        """;

    public const string Metrics = """
        query Metrics($startDate: DateTime!, $endDate: DateTime, $measurements: [MetricMeasurement!]!, $projectId: String,
                      $environmentId: String, $serviceId: String, $sampleRateSeconds: Int, $averagingWindowSeconds: Int) {
          metrics(startDate: $startDate, endDate: $endDate, measurements: $measurements, projectId: $projectId,
                  environmentId: $environmentId, serviceId: $serviceId, sampleRateSeconds: $sampleRateSeconds,
                  averagingWindowSeconds: $averagingWindowSeconds) {
            measurement
            tags { serviceId environmentId deploymentId }
            values { ts value }
          }
        }
        """;

    public const string VariableUpsert = "mutation VariableUpsert($input: VariableUpsertInput!) { variableUpsert(input: $input) }";
}
