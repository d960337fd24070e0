using Autopilot.Actors.Dispatch;

namespace Autopilot.Actors;

internal sealed partial class ActorCell
{
    private bool _asyncPending;
    private Envelope _asyncEnvelope;
    private ActorSynchronizationContext? _synchronizationContext;

    /// <summary>
    /// Runs an async handler so that it behaves like a synchronous one: its continuations run on this actor's
    /// mailbox (never in parallel with anything else of the actor), and no other user message is taken until the
    /// task completes. A fault is a failure of the message, handed to the supervisor.
    /// </summary>
    public void RunAsyncHandler(Func<Task> handler)
    {
        var context = _synchronizationContext ??= new ActorSynchronizationContext(this);
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        Task task;
        try
        {
            task = handler();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        if (task.IsCompleted)
        {
            task.GetAwaiter().GetResult(); // rethrows a synchronous fault into the normal failure path
            return;
        }

        _asyncPending = true;
        _asyncEnvelope = _current;
        task.ContinueWith(
            static (t, state) => ((ActorCell)state!).Mailbox.PostSystem(new AsyncHandlerCompleted(t)),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void RunAsyncContinuation(RunContinuation continuation)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_synchronizationContext);
        var saved = _current;
        _current = _asyncEnvelope;
        try
        {
            continuation.Callback(continuation.State);
            _actor?.AfterAsyncStep();
        }
        finally
        {
            _current = saved;
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    private void CompleteAsyncHandler(Task task)
    {
        if (!_asyncPending)
        {
            return;
        }

        _asyncPending = false;
        _current = _asyncEnvelope;
        _asyncEnvelope = default;
        if (task.IsFaulted || task.IsCanceled)
        {
            HandleInvokeFailure(task.IsFaulted ? task.Exception!.InnerException! : new TaskCanceledException(task));
        }

        _current = default;
    }

    /// <summary>Posts continuations of an actor's async handler back into its mailbox.</summary>
    private sealed class ActorSynchronizationContext(ActorCell cell) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) => cell.Mailbox.PostSystem(new RunContinuation(d, state));

        public override void Send(SendOrPostCallback d, object? state) => d(state);

        public override SynchronizationContext CreateCopy() => this;
    }
}
