using Autopilot.Actors.Dispatch;

namespace Autopilot.Actors;

/// <summary>
/// The temporary sender of an <c>Ask</c>: the first message told to it completes the ask; a timeout or a dead
/// recipient fails it.
/// </summary>
internal sealed class FutureActorRef(ActorPath path) : ActorRefBase
{
    private readonly TaskCompletionSource<object> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ICancelable? _timeout;

    public override ActorPath Path { get; } = path;

    public Task<object> Task => _completion.Task;

    public void SetTimeout(ICancelable timeout)
    {
        _timeout = timeout;
        if (_completion.Task.IsCompleted)
        {
            timeout.Cancel();
        }
    }

    public override void Tell(object message, IActorRef? sender = null)
    {
        if (_completion.TrySetResult(message))
        {
            _timeout?.Cancel();
        }
    }

    public void Fail(Exception exception)
    {
        if (_completion.TrySetException(exception))
        {
            _timeout?.Cancel();
        }
    }

    internal override void SendSystemMessage(SystemMessage message)
    {
        if (message is Watch watch && _completion.Task.IsCompleted)
        {
            watch.Watcher.SendSystemMessage(new DeathWatchNotification(this, ExistenceConfirmed: true));
        }
    }

    internal override bool IsTerminated => _completion.Task.IsCompleted;
}
