namespace Autopilot.Agents.N8n;

/// <summary>What went wrong with an n8n call, as the failure detector classifies it.</summary>
public enum N8nFailureKind
{
    /// <summary>No failure: the call succeeded.</summary>
    None,

    /// <summary>The execution ran (or hung) longer than the execution timeout.</summary>
    ExecutionTimeout,

    /// <summary>n8n or its webhook refused the credentials (403, or an auth message in the body).</summary>
    AuthFailure,

    /// <summary>The gateway in front of n8n gave up (504, or a gateway/timeout message in the body).</summary>
    GatewayTimeout,

    /// <summary>The webhook itself failed (unknown, inactive or misconfigured webhook).</summary>
    WebhookFailure,

    /// <summary>Any other error.</summary>
    GenericError,
}
