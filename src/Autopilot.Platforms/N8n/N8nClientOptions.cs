using Autopilot.Platforms.Http;

namespace Autopilot.Platforms.N8n;

/// <summary>How to reach one n8n instance.</summary>
/// <param name="BaseAddress">The instance root (e.g. <c>https://n8n.example.com/</c>); the API lives under <c>api/v1/</c>, production webhooks under <c>webhook/</c>.</param>
/// <param name="ApiKey">Public API key, sent as <c>X-N8N-API-KEY</c>; <see cref="ToString"/> omits it.</param>
/// <param name="Call">Retry and timeout policy; defaults to <see cref="PlatformCallOptions.Default"/>. Calls that are not safe to repeat (create, retry, webhook) make a single attempt whatever this says.</param>
public sealed record N8nClientOptions(Uri BaseAddress, string ApiKey, PlatformCallOptions? Call = null)
{
    /// <summary>n8n 1.x, whose <c>GET /executions</c> filters by <c>error</c>, <c>success</c> and <c>waiting</c> only.</summary>
    public static readonly Version N8n1 = new(1, 99);

    /// <summary>n8n 2.x, which filters by every execution status.</summary>
    public static readonly Version N8n2 = new(2, 41);

    /// <summary>
    /// The n8n release the client talks to; decides which execution-status filters are sent to the server
    /// (the others are applied by the client to the page it gets back). Defaults to 1.x, which every release accepts.
    /// </summary>
    public Version ServerVersion { get; init; } = N8n1;

    /// <summary>Describes the options without the key.</summary>
    public override string ToString() => $"N8nClientOptions {{ BaseAddress = {BaseAddress} }}";
}
