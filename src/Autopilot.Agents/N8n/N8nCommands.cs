using System.Text.Json.Nodes;
using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.N8n;

/// <summary>
/// Run a workflow through its production webhook and judge the answer with <see cref="N8nFailureClassifier"/>.
/// Answered with a <see cref="WorkerResult"/>; a detected failure is also reported to the parent as
/// <see cref="N8nFailureDetected"/> so the orchestrator can decide on recovery.
/// </summary>
/// <param name="ActionId">Action id.</param>
/// <param name="WorkflowId">The workflow the webhook belongs to.</param>
/// <param name="WebhookPath">The webhook node's path.</param>
/// <param name="Payload">JSON body, if any.</param>
/// <param name="WorkflowName">Display name, when known.</param>
public sealed record RunWorkflow(string ActionId, string WorkflowId, string WebhookPath, JsonNode? Payload = null, string? WorkflowName = null) : IWorkerCommand;
