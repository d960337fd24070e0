using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Http.Webhooks;

/// <summary>
/// Keeps the security events of rejected webhooks (they matter) without letting unauthenticated requests grow the
/// journal: per source — client address, endpoint and reason — the first rejection of a window
/// (<c>autopilot.http.security-events.fold-window</c>) is journaled at once, and its repeats within that window are
/// counted in memory and journaled as ONE event with the count, when the window ends (a sweep on the clock) or on the
/// first repeat after it, whichever comes first. So a source costs at most two journal events per window, however fast
/// it sends. Beyond <c>max-sources</c> distinct sources, new ones share one fold per endpoint and reason
/// (<c>many clients</c>), so memory stays bounded too. Pending counts are written when the daemon stops.
/// </summary>
public sealed class SecurityEventFolder : IHostedService, IDisposable
{
    /// <summary>The client named by the shared fold once <c>max-sources</c> is reached.</summary>
    public const string ManyClients = "many clients";

    private readonly DaemonRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly ILogger<SecurityEventFolder> _log;
    private readonly TimeSpan _window;
    private readonly int _maxSources;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Client, string Endpoint, string Kind), Fold> _folds = [];
    private ITimer? _sweep;

    /// <summary>Creates the folder (the sweep starts with the host).</summary>
    public SecurityEventFolder(DaemonRuntime runtime, DaemonSettings settings, TimeProvider time, ILogger<SecurityEventFolder> log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _runtime = runtime;
        _time = time;
        _log = log;
        _window = settings.Http.SecurityEventFoldWindow;
        _maxSources = settings.Http.SecurityEventMaxSources;
    }

    /// <summary>Sources with a fold open now (for tests and diagnostics).</summary>
    public int OpenFolds
    {
        get
        {
            lock (_gate)
            {
                return _folds.Count;
            }
        }
    }

    /// <summary>
    /// Records one rejection. Completes once what it journals is durable (the first of a window, and the previous
    /// window's count if this is the first repeat after it); a repeat within the window completes at once.
    /// </summary>
    /// <param name="kind">Reason, e.g. <c>webhook-signature-invalid</c>.</param>
    /// <param name="endpoint">Where, e.g. <c>webhooks/github</c>.</param>
    /// <param name="client">The client address key (<see cref="Auth.ClientRateLimits.ClientOf"/>).</param>
    /// <param name="detail">What was wrong, without secrets.</param>
    /// <param name="cancellationToken">The request's.</param>
    public async Task RecordAsync(string kind, string endpoint, string client, string detail, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        SecurityEventRecorded? summary = null;
        SecurityEventRecorded? first = null;
        lock (_gate)
        {
            var key = (client, endpoint, kind);
            if (!_folds.ContainsKey(key) && _folds.Count >= _maxSources)
            {
                key = (ManyClients, endpoint, kind);
            }

            if (_folds.TryGetValue(key, out var fold) && now - fold.WindowStart >= _window)
            {
                summary = fold.Summary(key.Item1, endpoint, kind);
                _folds.Remove(key);
                fold = null;
            }

            if (fold is null)
            {
                _folds[key] = new Fold(now, detail);
                first = new SecurityEventRecorded(kind, endpoint, $"{detail} (from {key.Item1})", now);
            }
            else
            {
                fold.Repeats++;
                fold.LastAt = now;
            }
        }

        if (summary is not null)
        {
            await WriteAsync(summary, cancellationToken).ConfigureAwait(false);
        }

        if (first is not null)
        {
            _log.LogWarning("Rejected request to {Endpoint} from {Client}: {Kind} (repeats within {Window} are folded into one event)", endpoint, client, kind, _window);
            await WriteAsync(first, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Journals the count of every fold whose window ended (all of them when <paramref name="all"/>).</summary>
    public async Task FlushAsync(bool all, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var summaries = new List<SecurityEventRecorded>();
        lock (_gate)
        {
            foreach (var (key, fold) in _folds.ToArray())
            {
                if (all || now - fold.WindowStart >= _window)
                {
                    _folds.Remove(key);
                    if (fold.Repeats > 0)
                    {
                        summaries.Add(fold.Summary(key.Client, key.Endpoint, key.Kind));
                    }
                }
            }
        }

        foreach (var summary in summaries)
        {
            await WriteAsync(summary, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var period = _window < TimeSpan.FromSeconds(10) ? _window : TimeSpan.FromSeconds(10);
        _sweep = _time.CreateTimer(_ => _ = SweepAsync(), null, period, period);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_sweep is not null)
        {
            await _sweep.DisposeAsync().ConfigureAwait(false);
            _sweep = null;
        }

        // Registered after the actor system, so stopped before it: the intake still journals.
        await FlushAsync(all: true, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _sweep?.Dispose();

    private async Task SweepAsync()
    {
        try
        {
            await FlushAsync(all: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.LogError("Folding security events failed: {Reason}", e.Message);
        }
    }

    private async Task WriteAsync(SecurityEventRecorded evt, CancellationToken cancellationToken)
    {
        try
        {
            await _runtime.WorkRoute.RecordSecurityEventAsync(evt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WorkUnavailableException or OperationCanceledException or InvalidOperationException)
        {
            _log.LogError("Could not record the security event {Kind} for {Source}: {Reason}", evt.Kind, evt.Source, e.Message);
        }
    }

    private sealed class Fold(DateTimeOffset windowStart, string detail)
    {
        public DateTimeOffset WindowStart { get; } = windowStart;

        public string Detail { get; } = detail;

        public int Repeats { get; set; }

        public DateTimeOffset LastAt { get; set; } = windowStart;

        public SecurityEventRecorded Summary(string client, string endpoint, string kind) => new(
            kind,
            endpoint,
            $"{Detail} (from {client}; repeated {Repeats} more times between {WindowStart:O} and {LastAt:O}, folded into this one event)",
            LastAt);
    }
}
