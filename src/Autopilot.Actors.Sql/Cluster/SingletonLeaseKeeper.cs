using Microsoft.Extensions.Logging;

namespace Autopilot.Actors.Sql.Cluster;

/// <summary>
/// Keeps trying to hold a <see cref="SingletonLease"/> for this node and says when it is won
/// (<see cref="LeaseAcquired"/>) or lost (<see cref="LeaseLost"/>): a standby tries every renew interval (and at
/// once when a member goes Down, Exiting or Removed), the holder renews every renew interval.
/// </summary>
/// <remarks>
/// The holder counts its lease down from the validity the database reported, starting at the moment it sent the
/// request (so it errs early), on the <see cref="TimeProvider"/>'s monotonic timestamp, never its wall clock. If
/// it cannot renew before that deadline (database unreachable, slow, or renewal refused), it publishes
/// <see cref="LeaseLost"/> no later than the moment the database would let another node acquire the lease.
/// </remarks>
public sealed class SingletonLeaseKeeper : IAsyncDisposable
{
    private readonly SingletonLease _lease;
    private readonly ClusterMembership _membership;
    private readonly TimeSpan _renewInterval;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Subscribers<LeaseEvent> _subscribers;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _wake = NewWake();
    private IDisposable? _membershipEvents;
    private Task _loop = Task.CompletedTask;
    private LeaseGrant? _held;
    private long _deadline;
    private bool _renewFailing;

    /// <summary>Creates a keeper of <paramref name="lease"/> for the node of <paramref name="membership"/>; <see cref="Start"/> begins.</summary>
    /// <param name="lease">The lease to hold.</param>
    /// <param name="membership">This node's membership (must have joined before the keeper can acquire).</param>
    /// <param name="renewInterval">How often to renew or try to acquire; shorter than the lease's duration.</param>
    /// <param name="logger">Receives acquisitions, losses and renewal failures.</param>
    /// <param name="timeProvider">Schedules attempts and measures (monotonically) how long a grant remains valid.</param>
    public SingletonLeaseKeeper(SingletonLease lease, ClusterMembership membership, TimeSpan renewInterval, ILogger logger, TimeProvider timeProvider)
    {
        _lease = lease ?? throw new ArgumentNullException(nameof(lease));
        _membership = membership ?? throw new ArgumentNullException(nameof(membership));
        if (renewInterval <= TimeSpan.Zero || renewInterval >= lease.Duration)
            throw new ArgumentOutOfRangeException(nameof(renewInterval), renewInterval, $"The renew interval must be positive and shorter than the lease duration ({lease.Duration}).");
        _renewInterval = renewInterval;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _subscribers = new Subscribers<LeaseEvent>($"Lease keeper {lease.Name}", logger);
    }

    /// <summary>Name of the lease kept.</summary>
    public string LeaseName => _lease.Name;

    /// <summary>The fencing token this node holds the lease with, or null when it does not hold it.</summary>
    public long? HeldToken
    {
        get
        {
            lock (_gate)
                return _held?.Token;
        }
    }

    /// <summary>
    /// Whether this node holds the lease with <paramref name="token"/> and that grant is still valid now by the
    /// keeper's monotonic clock (counted from when the grant was requested). Side effects of the singleton check this
    /// just before they happen: a process paused past its lease (GC, SIGSTOP) sees false at once on waking, before
    /// its loop has even noticed the loss, and a subtree started with an older token never passes.
    /// </summary>
    public bool IsValidNow(long token)
    {
        lock (_gate)
            return _held?.Token == token && _time.GetTimestamp() < _deadline;
    }

    /// <summary>
    /// Calls <paramref name="handler"/> with <see cref="LeaseAcquired"/> at once if the lease is held, then with every
    /// change, in order. Handlers run on the keeper's loop and must be quick. Dispose the result to stop.
    /// </summary>
    public IDisposable Subscribe(Action<LeaseEvent> handler)
    {
        lock (_gate)
            return _subscribers.Add(handler, _held is { } held ? [new LeaseAcquired(held.LeaseName, held.Token)] : []);
    }

    /// <summary>Starts trying to acquire (once this node is Up) and then renewing.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void Start()
    {
        if (_membershipEvents is not null)
            throw new InvalidOperationException($"The keeper of lease '{LeaseName}' is already started.");
        _membershipEvents = _membership.Subscribe(e =>
        {
            // A member going away may free the lease; our own status changes decide whether we may hold it.
            if (e is MemberDowned or MemberExited or MemberRemoved or MemberUp)
                Wake();
        });
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>
    /// Stops keeping the lease. If held, publishes <see cref="LeaseLost"/> first (stop the singleton on it), then
    /// releases the lease so a standby takes over at once; if the database does not answer, the lease simply expires.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _membershipEvents?.Dispose();
        if (!_stopping.IsCancellationRequested)
            await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        var released = Lose("released (handover)");
        if (released is null)
            return;
        try
        {
            await _lease.ReleaseAsync(released, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Node {Node} released lease {Lease} (token {Fence})", _membership.NodeId, LeaseName, released.Token);
        }
        catch (ClusterUnavailableException e)
        {
            _logger.LogWarning("Node {Node} could not release lease {Lease}; it expires by itself: {Detail}", _membership.NodeId, LeaseName, e.Message);
        }
    }

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (!await StepAsync(stopping).ConfigureAwait(false))
                    return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                // A bug or an unexpected database answer must not end the loop: a holder still has to notice expiry.
                _logger.LogError(e, "Lease keeper {Lease} on node {Node} failed a step; carrying on", LeaseName, _membership.NodeId);
                await WaitAsync(_renewInterval, wake: null, stopping).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One acquire attempt or renewal (with the wait before it); false when this node may never hold the lease again.</summary>
    private async Task<bool> StepAsync(CancellationToken stopping)
    {
        var wake = Volatile.Read(ref _wake).Task;
        if (_membership.Self?.Status is MemberStatus.Down or MemberStatus.Removed)
        {
            Lose($"this node is {_membership.Self?.Status}");
            return false;
        }

        LeaseGrant? held;
        lock (_gate)
            held = _held;
        if (held is null)
        {
            if (_membership.Self?.Status == MemberStatus.Up)
                await TryAcquireAsync(stopping).ConfigureAwait(false);
            lock (_gate)
                held = _held;
            if (held is null)
                await WaitAsync(_renewInterval, wake, stopping).ConfigureAwait(false);
            return true;
        }

        // Holding: renewals are paced, not hurried by membership news.
        await WaitAsync(Min(_renewInterval, Remaining()), wake: null, stopping).ConfigureAwait(false);
        if (!stopping.IsCancellationRequested)
            await RenewAsync(held, stopping).ConfigureAwait(false);
        return true;
    }

    private async Task TryAcquireAsync(CancellationToken stopping)
    {
        var sent = _time.GetTimestamp();
        try
        {
            var grant = await _lease.TryAcquireAsync(_membership.NodeId, _membership.Incarnation, stopping).ConfigureAwait(false);
            if (grant is null)
                return;
            lock (_gate)
            {
                _held = grant;
                _deadline = sent + ToTimestampTicks(grant.ValidFor);
                _subscribers.Publish(new LeaseAcquired(grant.LeaseName, grant.Token));
            }

            _logger.LogInformation("Node {Node} acquired lease {Lease} with fencing token {Fence}", _membership.NodeId, LeaseName, grant.Token);
        }
        catch (ClusterUnavailableException e)
        {
            _logger.LogDebug("Node {Node} could not try to acquire lease {Lease}: {Detail}", _membership.NodeId, LeaseName, e.Message);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task RenewAsync(LeaseGrant held, CancellationToken stopping)
    {
        var remaining = Remaining();
        if (remaining <= TimeSpan.Zero)
        {
            Lose("not renewed before it expired");
            return;
        }

        var sent = _time.GetTimestamp();
        using var expiry = new CancellationTokenSource(remaining, _time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stopping, expiry.Token);
        try
        {
            var renewed = await _lease.RenewAsync(held, attempt.Token).ConfigureAwait(false);
            if (renewed is null)
            {
                Lose("renewal refused: the lease expired, was taken over, or this node is no longer Up");
                return;
            }

            lock (_gate)
            {
                if (_held?.Token == renewed.Token)
                    _deadline = sent + ToTimestampTicks(renewed.ValidFor);
            }

            if (_renewFailing)
                _logger.LogInformation("Node {Node} renews lease {Lease} again", _membership.NodeId, LeaseName);
            _renewFailing = false;
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            Lose("not renewed before it expired (the database did not answer in time)");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: StopAsync releases the lease.
        }
        catch (ClusterUnavailableException e)
        {
            if (!_renewFailing)
                _logger.LogWarning("Node {Node} could not renew lease {Lease} ({Remaining} left): {Detail}", _membership.NodeId, LeaseName, Remaining(), e.Message);
            _renewFailing = true;
        }
    }

    /// <summary>Forgets the held grant, publishing <see cref="LeaseLost"/>; returns it, or null if none was held.</summary>
    private LeaseGrant? Lose(string reason)
    {
        LeaseGrant? lost;
        lock (_gate)
        {
            lost = _held;
            if (lost is null)
                return null;
            _held = null;
            _subscribers.Publish(new LeaseLost(lost.LeaseName, lost.Token, reason));
        }

        _renewFailing = false;
        _logger.LogWarning("Node {Node} lost lease {Lease} (token {Fence}): {Reason}", _membership.NodeId, LeaseName, lost.Token, reason);
        return lost;
    }

    private TimeSpan Remaining()
    {
        lock (_gate)
            return _held is null ? TimeSpan.Zero : TimeSpan.FromSeconds((_deadline - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
    }

    private long ToTimestampTicks(TimeSpan duration) => (long)(duration.TotalSeconds * _time.TimestampFrequency);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private void Wake() => Interlocked.Exchange(ref _wake, NewWake()).TrySetResult();

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task WaitAsync(TimeSpan delay, Task? wake, CancellationToken stopping)
    {
        if (delay <= TimeSpan.Zero)
            return;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var timer = Task.Delay(delay, _time, wait.Token);
        await (wake is null ? timer : (Task)Task.WhenAny(timer, wake)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        await wait.CancelAsync().ConfigureAwait(false);
    }
}
