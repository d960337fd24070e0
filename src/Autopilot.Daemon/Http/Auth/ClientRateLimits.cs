using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Autopilot.Daemon.Configuration;
using Microsoft.AspNetCore.Http;

namespace Autopilot.Daemon.Http.Auth;

/// <summary>
/// The HTTP edge's request budgets, all fixed windows of <c>autopilot.http.rate-limit.window</c>:
/// <list type="bullet">
/// <item>failed authentications per client address (admin API and webhooks together): once a client used them up, every
/// request of it is answered 429 before it is looked at, whatever token or signature it presents;</item>
/// <item>admin API requests per authenticated token (only a token that authenticated has a budget of its own, so
/// inventing tokens buys nothing);</item>
/// <item>webhook requests per client address.</item>
/// </list>
/// Tokens are kept only as SHA-256 hashes; client addresses as text (IPv6 by /64, what one host usually holds).
/// </summary>
public sealed class ClientRateLimits : IDisposable
{
    private const string CheckedKey = "autopilot.rate-limited";
    private readonly PartitionedRateLimiter<string> _failures;
    private readonly PartitionedRateLimiter<string> _tokens;
    private readonly PartitionedRateLimiter<string> _webhooks;

    /// <summary>Creates the budgets from <c>autopilot.http</c>.</summary>
    public ClientRateLimits(DaemonSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var http = settings.Http;
        _failures = Partitioned(http.FailedAuthPermits, http.RateLimitWindow);
        _tokens = Partitioned(http.RateLimitPermits, http.RateLimitWindow);
        _webhooks = Partitioned(http.WebhookPermits, http.RateLimitWindow);
    }

    /// <summary>
    /// The key a client is counted under: its remote address (an IPv4-mapped IPv6 address as IPv4; other IPv6 addresses
    /// by their /64 prefix), or <c>unknown</c>.
    /// </summary>
    public static string ClientOf(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && !IPAddress.IsLoopback(address))
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }

    /// <summary>True (with when to retry) when <paramref name="client"/> used up its failed authentications.</summary>
    public bool IsLockedOut(string client, out TimeSpan? retryAfter)
    {
        // Zero permits: only asks whether any are left, consumes nothing.
        using var lease = _failures.AttemptAcquire(client, 0);
        retryAfter = RetryAfter(lease);
        return !lease.IsAcquired;
    }

    /// <summary>Counts a failed authentication of <paramref name="client"/>; false when that one was over the budget.</summary>
    public bool RecordFailure(string client, out TimeSpan? retryAfter)
    {
        using var lease = _failures.AttemptAcquire(client);
        retryAfter = RetryAfter(lease);
        return lease.IsAcquired;
    }

    /// <summary>Takes one admin request from an authenticated token's budget (the token is kept only as a hash).</summary>
    public bool TryAcquireToken(string token, out TimeSpan? retryAfter)
    {
        using var lease = _tokens.AttemptAcquire("token:" + Convert.ToHexString(ApiTokenAuthenticator.Hash(token)));
        retryAfter = RetryAfter(lease);
        return lease.IsAcquired;
    }

    /// <summary>Takes one webhook request from <paramref name="client"/>'s budget.</summary>
    public bool TryAcquireWebhook(string client, out TimeSpan? retryAfter)
    {
        using var lease = _webhooks.AttemptAcquire(client);
        retryAfter = RetryAfter(lease);
        return lease.IsAcquired;
    }

    /// <summary>
    /// True the first time it is called for a request: a request is charged once even if several filters look at it.
    /// </summary>
    internal static bool FirstCheck(HttpContext http)
    {
        if (http.Items.ContainsKey(CheckedKey))
        {
            return false;
        }

        http.Items[CheckedKey] = true;
        return true;
    }

    /// <summary>The 429 answer, with Retry-After when known.</summary>
    public static IResult TooManyRequests(HttpContext http, TimeSpan? retryAfter, string message)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (retryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Results.Json(new ApiError("too_many_requests", message), statusCode: StatusCodes.Status429TooManyRequests);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _failures.Dispose();
        _tokens.Dispose();
        _webhooks.Dispose();
    }

    private static PartitionedRateLimiter<string> Partitioned(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    private static TimeSpan? RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null;
}
