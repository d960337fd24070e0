namespace Autopilot.Actors.Persistence;

/// <summary>
/// An event-sourced actor that declares its handlers like a <see cref="ReceiveActor"/>: <c>Command&lt;T&gt;</c> for
/// commands and <c>Recover&lt;T&gt;</c> for replayed events, in its constructor.
/// </summary>
public abstract class ReceivePersistentActor : Eventsourced
{
    private readonly MessageHandlers _recover = new();
    private MessageHandlers _commands = new();
    private MessageHandlers? _building;

    /// <summary>Handles commands of type <typeparamref name="T"/>.</summary>
    protected void Command<T>(Action<T> handler, Predicate<T>? shouldHandle = null) => CommandTarget.Add(handler, shouldHandle);

    /// <summary>Handles commands of type <typeparamref name="T"/> asynchronously: no other message is taken until the task completes.</summary>
    protected void CommandAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null) =>
        CommandTarget.Add<T>(m => Cell.RunAsyncHandler(() => handler(m)), shouldHandle);

    /// <summary>Handles any command not handled by an earlier declaration.</summary>
    protected void CommandAny(Action<object> handler) => CommandTarget.Add(handler);

    /// <summary>Handles replayed events (and <see cref="SnapshotOffer"/>, <see cref="RecoveryCompleted"/>) of type <typeparamref name="T"/>.</summary>
    protected void Recover<T>(Action<T> handler, Predicate<T>? shouldHandle = null) => _recover.Add(handler, shouldHandle);

    /// <summary>Replaces the command handlers with those <paramref name="configure"/> declares.</summary>
    protected void Become(Action configure)
    {
        var table = new MessageHandlers();
        _building = table;
        try
        {
            configure();
        }
        finally
        {
            _building = null;
        }

        _commands = table;
    }

    /// <inheritdoc />
    protected sealed override bool ReceiveRecover(object message) => _recover.Dispatch(message);

    /// <inheritdoc />
    protected sealed override bool ReceiveCommand(object message) => _commands.Dispatch(message);

    private MessageHandlers CommandTarget => _building ?? _commands;
}
