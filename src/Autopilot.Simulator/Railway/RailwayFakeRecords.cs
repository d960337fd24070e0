using System.Text.Json.Nodes;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway.GraphQL;

namespace Autopilot.Simulator.Railway;

/// <summary>Tuning of the simulated Railway.</summary>
/// <param name="StepDuration">Time a deployment spends in each in-progress status.</param>
public sealed record RailwayFakeOptions(TimeSpan StepDuration)
{
    /// <summary>Ten seconds per step.</summary>
    public static RailwayFakeOptions Default { get; } = new(TimeSpan.FromSeconds(10));
}

/// <summary>One GraphQL request the fake received (whether or not it was authorised or valid).</summary>
/// <param name="OperationName">The operation name the request selected, when it had one.</param>
/// <param name="OperationType">Query or mutation; null when the document did not parse.</param>
/// <param name="RootFields">The root fields the operation selected (e.g. <c>deploymentRollback</c>).</param>
/// <param name="Variables">The request's variables as sent.</param>
/// <param name="Document">The document text as sent.</param>
/// <param name="ReceivedAt">When it arrived, on the fake's clock.</param>
public sealed record RailwayFakeCall(
    string? OperationName,
    GraphQLOperationType? OperationType,
    IReadOnlyList<string> RootFields,
    JsonObject Variables,
    string Document,
    DateTimeOffset ReceivedAt);

/// <summary>A snapshot of a simulated deployment, for assertions.</summary>
public sealed record RailwayFakeDeployment(
    string Id,
    string ProjectId,
    string EnvironmentId,
    string ServiceId,
    string CommitHash,
    DeploymentStatus Status,
    DateTimeOffset CreatedAt,
    bool Stopped,
    string? RollbackOf);

/// <summary>A project with one environment and one service, the usual unit a test needs.</summary>
public sealed record RailwayFakeService(string ProjectId, string EnvironmentId, string ServiceId);
