namespace Autopilot.Actors;

/// <summary>
/// An actor that declares its handlers with <c>Receive&lt;T&gt;</c> in its constructor (or in <c>Become</c>).
/// Handlers are tried in the order they were declared; the first that matches handles the message.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private MessageHandlers _handlers = new();
    private MessageHandlers? _building;
    private bool _constructed;

    /// <summary>Handles messages of type <typeparamref name="T"/> (that pass <paramref name="shouldHandle"/>, if given).</summary>
    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null) => Target.Add(handler, shouldHandle);

    /// <summary>
    /// Handles messages of type <typeparamref name="T"/> asynchronously: the actor takes no other message until the task
    /// completes, and code after each <c>await</c> runs on the actor (do not use <c>ConfigureAwait(false)</c>).
    /// </summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null) =>
        Target.Add<T>(m => Cell.RunAsyncHandler(() => handler(m)), shouldHandle);

    /// <summary>Handles any message not handled by an earlier declaration.</summary>
    protected void ReceiveAny(Action<object> handler) => Target.Add(handler);

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

    private MessageHandlers Target
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
        var table = new MessageHandlers();
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
}
