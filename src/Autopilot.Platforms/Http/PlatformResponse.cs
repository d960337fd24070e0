namespace Autopilot.Platforms.Http;

/// <summary>
/// A successful platform call's decoded result together with what the exchange looked like, so callers that
/// watch a platform's health (latency, status) get both from one call.
/// </summary>
/// <typeparam name="T">The decoded result.</typeparam>
/// <param name="Value">The decoded result.</param>
/// <param name="Call">Status code, duration and redacted body snippet of the exchange that produced it.</param>
public sealed record PlatformResponse<T>(T Value, PlatformCall Call);
