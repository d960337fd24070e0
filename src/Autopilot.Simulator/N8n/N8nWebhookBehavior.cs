namespace Autopilot.Simulator.N8n;

/// <summary>
/// How a scripted webhook answers, to simulate the ways a production n8n misbehaves: a 403 from header auth,
/// a 504 from the proxy in front of a stuck worker, or a request that never gets an answer at all.
/// </summary>
public abstract record N8nWebhookBehavior
{
    private N8nWebhookBehavior()
    {
    }

    /// <summary>Answer with <paramref name="StatusCode"/> and a JSON <paramref name="Body"/>.</summary>
    public sealed record Respond(int StatusCode, string Body) : N8nWebhookBehavior;

    /// <summary>Never answer; the request ends only when the caller gives up.</summary>
    public sealed record Hang : N8nWebhookBehavior;

    /// <summary>The normal n8n answer when a workflow was started: 200 <c>{"message":"Workflow was started"}</c>.</summary>
    public static N8nWebhookBehavior Started { get; } = new Respond(200, """{"message":"Workflow was started"}""");

    /// <summary>What n8n answers when the webhook's header or basic auth does not match.</summary>
    public static N8nWebhookBehavior Forbidden { get; } = new Respond(403, """{"message":"Authorization data is wrong!"}""");

    /// <summary>What a gateway answers when the n8n worker does not respond in time.</summary>
    public static N8nWebhookBehavior GatewayTimeout { get; } = new Respond(504, """{"message":"Gateway Timeout"}""");
}
