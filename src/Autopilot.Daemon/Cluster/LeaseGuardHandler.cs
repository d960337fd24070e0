namespace Autopilot.Daemon.Cluster;

/// <summary>
/// The first handler of every platform HTTP client on a cluster node: a request leaves the process only while the
/// singleton's lease is still valid by this node's monotonic clock, checked just before sending. The journal's fence
/// stops a deposed leader's writes; this stops its side effects on Railway, GitHub, n8n and Telegram, even when the
/// process wakes from a pause before its lease keeper has noticed the loss.
/// </summary>
/// <param name="platform">Which platform the client talks to (for the error).</param>
/// <param name="lease">The lease the singleton was started under.</param>
/// <param name="inner">The rest of the pipeline.</param>
public sealed class LeaseGuardHandler(string platform, HeldLease lease, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    /// <inheritdoc />
    /// <exception cref="PlatformCallRefusedException">The lease is no longer valid.</exception>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        lease.IsValidNow()
            ? base.SendAsync(request, cancellationToken)
            : Task.FromException<HttpResponseMessage>(new PlatformCallRefusedException(platform, lease.Token));
}
