using System.Threading.Channels;
using Autopilot.Actors;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Sql.Cluster;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Cluster;

/// <summary>
/// Runs the orchestrator's subtree on this node exactly while it holds the orchestrator lease. On
/// <see cref="LeaseAcquired"/> it raises the journal's fence to the new token (so no write of an older leader lands
/// after that, on any stream) and only then starts the subtree; on <see cref="LeaseLost"/> it stops the subtree at
/// once. Lease events are handled one at a time, in order, off the keeper's loop.
/// </summary>
public sealed class SingletonHost : IAsyncDisposable
{
    private static readonly TimeSpan FenceRetryInitial = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FenceRetryMax = TimeSpan.FromSeconds(2);

    private readonly Channel<object> _events = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closing = new();
    private readonly ActorSystem _system;
    private readonly SingletonLeaseKeeper _keeper;
    private readonly IEventJournal _journal;
    private readonly SingletonParts _parts;
    private readonly TimeSpan _stopBudget;
    private IDisposable? _subscription;
    private Task _loop = Task.CompletedTask;
    private volatile SingletonSubtree? _current;

    /// <summary>Creates the host; <see cref="Start"/> begins following the lease.</summary>
    /// <param name="system">Where the subtree runs (persistence started).</param>
    /// <param name="keeper">This node's keeper of the orchestrator lease.</param>
    /// <param name="journal">The journal whose fence is raised on every acquisition.</param>
    /// <param name="parts">What each leadership is built from.</param>
    /// <param name="stopBudget">How long each actor of the subtree may take to stop.</param>
    public SingletonHost(ActorSystem system, SingletonLeaseKeeper keeper, IEventJournal journal, SingletonParts parts, TimeSpan stopBudget)
    {
        _system = system ?? throw new ArgumentNullException(nameof(system));
        _keeper = keeper ?? throw new ArgumentNullException(nameof(keeper));
        _journal = journal ?? throw new ArgumentNullException(nameof(journal));
        _parts = parts ?? throw new ArgumentNullException(nameof(parts));
        _stopBudget = stopBudget;
    }

    /// <summary>The running orchestrator, or null when this node does not lead (or is handing over).</summary>
    public IActorRef? Orchestrator => _current?.Orchestrator;

    /// <summary>The running webhook intake, or null when this node does not lead.</summary>
    public IActorRef? Intake => _current?.Intake;

    /// <summary>The fencing token the running subtree was started with, or null.</summary>
    public long? Token => _current?.Lease.Token;

    /// <summary>Starts following the lease (an already held lease starts the subtree at once).</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void Start()
    {
        if (_subscription is not null)
        {
            throw new InvalidOperationException("The singleton host is already started.");
        }

        _loop = Task.Run(RunAsync);
        _subscription = _keeper.Subscribe(e => _events.Writer.TryWrite(e));
    }

    /// <summary>
    /// Stops the subtree for good; later acquisitions no longer start it. Gracefully (leaving, shutting down, called
    /// before the lease is released) it finishes its queued work and records <c>SingletonStopped</c>; otherwise (this
    /// node was downed: its lease is already gone, whatever its clock says) it stops at once and writes nothing.
    /// </summary>
    public async Task StopAsync(string reason, bool graceful)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _closing.CancelAsync().ConfigureAwait(false);
        if (_subscription is null || !_events.Writer.TryWrite(new Close(reason, graceful, done)))
        {
            return;
        }

        await done.Task.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        await StopAsync("node stopped", graceful: false).ConfigureAwait(false);
        _events.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _closing.Dispose();
    }

    private async Task RunAsync()
    {
        await foreach (var item in _events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                switch (item)
                {
                    case LeaseAcquired acquired when !_closing.IsCancellationRequested:
                        await LeadAsync(acquired.Token).ConfigureAwait(false);
                        break;
                    case LeaseLost lost when _current?.Lease.Token == lost.Token:
                        await StopCurrentAsync($"lease lost: {lost.Reason}", graceful: false).ConfigureAwait(false);
                        break;
                    case Close close:
                        // Graceful only while the lease still holds: a lost lease means nothing more may be done or written.
                        await StopCurrentAsync(close.Reason, graceful: close.Graceful && _current?.Lease.IsValidNow() == true).ConfigureAwait(false);
                        _events.Writer.TryComplete();
                        close.Done.TrySetResult();
                        return;
                }
            }
            catch (Exception e)
            {
                // A failed start must not end the loop: the next lease event (or the loss) still has to be handled.
                _parts.Log.LogError(e, "The singleton host failed to handle {Event}", item.GetType().Name);
            }
        }
    }

    private async Task LeadAsync(long token)
    {
        if (_current is not null)
        {
            await StopCurrentAsync($"superseded by token {token}", graceful: false).ConfigureAwait(false);
        }

        var lease = new HeldLease(_keeper, token);
        if (!await RaiseFenceAsync(lease).ConfigureAwait(false))
        {
            return;
        }

        _current = await SingletonSubtree.StartAsync(_system, _parts, lease, _stopBudget).ConfigureAwait(false);
        _parts.Log.LogInformation("Node {Node} leads: orchestrator started with fencing token {Fence}", _parts.NodeId, token);
    }

    /// <summary>Raises the fence, retrying while the lease is still valid; false when the lease ran out first.</summary>
    private async Task<bool> RaiseFenceAsync(HeldLease lease)
    {
        var wait = FenceRetryInitial;
        while (lease.IsValidNow() && !_closing.IsCancellationRequested)
        {
            try
            {
                await _journal.RaiseFenceAsync(lease.Token, _closing.Token).ConfigureAwait(false);
                return true;
            }
            catch (JournalUnavailableException e)
            {
                _parts.Log.LogWarning("Could not raise the journal fence to token {Fence}; retrying in {Wait}: {Reason}", lease.Token, wait, e.Message);
            }
            catch (OperationCanceledException) when (_closing.IsCancellationRequested)
            {
                return false;
            }

            try
            {
                await Task.Delay(wait, _parts.Context.Time, _closing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            wait = wait * 2 < FenceRetryMax ? wait * 2 : FenceRetryMax;
        }

        _parts.Log.LogWarning("Lease token {Fence} ran out before the journal fence could be raised; the orchestrator was not started", lease.Token);
        return false;
    }

    private async Task StopCurrentAsync(string reason, bool graceful)
    {
        var current = _current;
        if (current is null)
        {
            return;
        }

        _current = null;
        await current.StopAsync(reason, graceful, _stopBudget).ConfigureAwait(false);
        _parts.Log.LogInformation("Node {Node} stopped the orchestrator (token {Fence}): {Reason}", _parts.NodeId, current.Lease.Token, reason);
    }

    private sealed record Close(string Reason, bool Graceful, TaskCompletionSource Done);
}
