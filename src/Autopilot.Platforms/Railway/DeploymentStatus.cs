using System.Text.Json.Serialization;

namespace Autopilot.Platforms.Railway;

/// <summary>
/// Railway's <c>DeploymentStatus</c> (13 values in the published schema), plus <see cref="Unknown"/> for any
/// value the server introduces later, so a schema change degrades to "unknown" instead of a failed read.
/// </summary>
[JsonConverter(typeof(RailwayEnumConverter<DeploymentStatus>))]
public enum DeploymentStatus
{
    /// <summary>A value this client does not know; treat as neither healthy nor failed.</summary>
    Unknown = 0,

    /// <summary>The image is being built.</summary>
    Building,

    /// <summary>The deployment ran and its process exited unexpectedly.</summary>
    Crashed,

    /// <summary>The built image is being rolled out.</summary>
    Deploying,

    /// <summary>The build or rollout failed; the previous deployment keeps serving.</summary>
    Failed,

    /// <summary>The deployment is being prepared.</summary>
    Initializing,

    /// <summary>The deployment waits for a human approval.</summary>
    NeedsApproval,

    /// <summary>Waiting for a builder.</summary>
    Queued,

    /// <summary>Replaced, stopped or cancelled; no longer serving.</summary>
    Removed,

    /// <summary>Being removed.</summary>
    Removing,

    /// <summary>Not deployed (e.g. no changes for the service).</summary>
    Skipped,

    /// <summary>Serverless deployment asleep for lack of traffic.</summary>
    Sleeping,

    /// <summary>Running and healthy: the only status that counts as a good deployment.</summary>
    Success,

    /// <summary>Waiting on something else (e.g. a dependency) before starting.</summary>
    Waiting,
}
