using Autopilot.Platforms.Http;

namespace Autopilot.Platforms.N8n;

/// <summary>How to reach one n8n instance.</summary>
/// <param name="BaseAddress">The instance root (e.g. <c>https://n8n.example.com/</c>); the API lives under <c>api/v1/</c>, production webhooks under <c>webhook/</c>.</param>
/// <param name="ApiKey">Public API key, sent as <c>X-N8N-API-KEY</c>; <see cref="ToString"/> omits it.</param>
/// <param name="Call">Retry and timeout policy; defaults to <see cref="PlatformCallOptions.Default"/>. Calls that are not safe to repeat (create, retry, webhook) make a single attempt whatever this says.</param>
public sealed record N8nClientOptions(Uri BaseAddress, string ApiKey, PlatformCallOptions? Call = null)
{
    /// <summary>Describes the options without the key.</summary>
    public override string ToString() => $"N8nClientOptions {{ BaseAddress = {BaseAddress} }}";
}
