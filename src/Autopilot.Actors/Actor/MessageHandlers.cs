namespace Autopilot.Actors;

/// <summary>
/// An ordered list of typed handlers, tried in declaration order; the first that matches handles the message.
/// Shared by <see cref="ReceiveActor"/> and the persistent actors' command and recovery handlers. An array, not a
/// list, to keep idle actors small.
/// </summary>
internal sealed class MessageHandlers
{
    private Handler[] _handlers = [];

    /// <summary>Adds a handler for <typeparamref name="T"/>, optionally guarded by <paramref name="shouldHandle"/>.</summary>
    public void Add<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        Array.Resize(ref _handlers, _handlers.Length + 1);
        _handlers[^1] = new Handler<T>(handler, shouldHandle);
    }

    /// <summary>Runs the first matching handler; false when none matched.</summary>
    public bool Dispatch(object message)
    {
        foreach (var handler in _handlers)
        {
            if (handler.TryHandle(message))
            {
                return true;
            }
        }

        return false;
    }

    private abstract class Handler
    {
        public abstract bool TryHandle(object message);
    }

    private sealed class Handler<T>(Action<T> handler, Predicate<T>? shouldHandle) : Handler
    {
        public override bool TryHandle(object message)
        {
            if (message is T typed && (shouldHandle is null || shouldHandle(typed)))
            {
                handler(typed);
                return true;
            }

            return false;
        }
    }
}
