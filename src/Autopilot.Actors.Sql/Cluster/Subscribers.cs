using Microsoft.Extensions.Logging;

namespace Autopilot.Actors.Sql.Cluster;

/// <summary>
/// Callbacks registered for a component's events, called in publication order. A throwing callback is logged and
/// does not stop the others. Callbacks run on the publisher's thread under its ordering, so they must be quick
/// (e.g. Tell an actor).
/// </summary>
internal sealed class Subscribers<T>(string component, ILogger logger)
{
    private readonly object _gate = new();
    private readonly List<Action<T>> _handlers = [];

    /// <summary>Adds <paramref name="handler"/>, first replaying <paramref name="current"/> to it; dispose to remove.</summary>
    public IDisposable Add(Action<T> handler, IEnumerable<T> current)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            foreach (var e in current)
                Invoke(handler, e);
            _handlers.Add(handler);
        }

        return new Subscription(() =>
        {
            lock (_gate)
                _handlers.Remove(handler);
        });
    }

    /// <summary>Calls every handler with <paramref name="e"/>.</summary>
    public void Publish(T e)
    {
        lock (_gate)
        {
            foreach (var handler in _handlers.ToArray())
                Invoke(handler, e);
        }
    }

    private void Invoke(Action<T> handler, T e)
    {
        try
        {
            handler(e);
        }
        catch (Exception error)
        {
            logger.LogError(error, "{Component}: a subscriber threw while handling {Event}", component, e);
        }
    }

    private sealed class Subscription(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }
}
