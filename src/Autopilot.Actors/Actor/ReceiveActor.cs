namespace Autopilot.Actors;

/// <summary>
/// An actor that declares its handlers with <c>Receive&lt;T&gt;</c> in its constructor (or in <c>Become</c>).
/// Handlers are tried in the order they were declared; the first that matches handles the message.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private HandlerTable _handlers = new();
    private HandlerTable? _building;
    private bool _constructed;

    /// <summary>Handles messages of type <typeparamref name="T"/> (that pass <paramref name="shouldHandle"/>, if given).</summary>
    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null) => Target.Add(new Handler<T>(handler, shouldHandle));

    /// <summary>
    /// Handles messages of type <typeparamref name="T"/> asynchronously: the actor takes no other message until the task
    /// completes, and code after each <c>await</c> runs on the actor (do not use <c>ConfigureAwait(false)</c>).
    /// </summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null) =>
        Target.Add(new Handler<T>(m => Cell.RunAsyncHandler(() => handler(m)), shouldHandle));

    /// <summary>Handles any message not handled by an earlier declaration.</summary>
    protected void ReceiveAny(Action<object> handler) => Target.Add(new Handler<object>(handler, null));

    /// <summary>Replaces the behavior with the handlers <paramref name="configure"/> declares.</summary>
    protected void Become(Action configure) => Context.Become(Build(configure));

    /// <summary>Pushes the handlers <paramref name="configure"/> declares; <see cref="Unbecome"/> pops them.</summary>
    protected void BecomeStacked(Action configure) => Context.BecomeStacked(Build(configure));

    /// <summary>Returns to the behavior below the last <see cref="BecomeStacked"/>.</summary>
    protected void Unbecome() => Context.Unbecome();

    /// <inheritdoc />
    protected internal sealed override bool Receive(object message)
    {
        _constructed = true;
        return _handlers.Dispatch(message);
    }

    private HandlerTable Target
    {
        get
        {
            if (_building is not null)
            {
                return _building;
            }

            if (_constructed)
            {
                throw new InvalidOperationException("Receive may only be declared in the constructor or inside Become(...).");
            }

            return _handlers;
        }
    }

    private Receive Build(Action configure)
    {
        var table = new HandlerTable();
        var outer = _building;
        _building = table;
        try
        {
            configure();
        }
        finally
        {
            _building = outer;
        }

        return table.Dispatch;
    }

    private abstract class HandlerBase
    {
        public abstract bool TryHandle(object message);
    }

    private sealed class Handler<T>(Action<T> handler, Predicate<T>? shouldHandle) : HandlerBase
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

    /// <summary>An ordered list of handlers; an array, not a list, to keep idle actors small.</summary>
    private sealed class HandlerTable
    {
        private HandlerBase[] _handlers = [];

        public void Add(HandlerBase handler)
        {
            Array.Resize(ref _handlers, _handlers.Length + 1);
            _handlers[^1] = handler;
        }

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
    }
}
