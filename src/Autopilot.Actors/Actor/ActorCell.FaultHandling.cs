using Autopilot.Actors.Dispatch;
using Autopilot.Actors.Event;

namespace Autopilot.Actors;

internal sealed partial class ActorCell
{
    private bool _awaitingSupervisor;
    private bool _terminating;
    private Exception? _pendingRecreate;
    private object? _failedMessage;

    /// <summary>
    /// The actor threw: it stops taking user messages and its supervisor decides (the failing message is dropped).
    /// A failure while stopping is only logged: the actor is on its way out anyway.
    /// </summary>
    private void HandleInvokeFailure(Exception cause)
    {
        if (_terminating)
        {
            Publish(new Error(cause, Self.Path.ToString(), ActorType, $"Exception while stopping: {cause.Message}"));
            return;
        }

        _awaitingSupervisor = true;
        _failedMessage = _current.Message;
        ParentRef.SendSystemMessage(new Failed(Self, cause, Self.Path.Uid));
    }

    private void HandleChildFailure(Failed failed)
    {
        var slot = FindChild(failed.Child);
        if (slot is null || slot.Stopping || _terminating)
        {
            return; // a child we already let go of
        }

        if (!SupervisorStrategy.HandleFailure(this, slot, failed.Cause))
        {
            HandleInvokeFailure(failed.Cause); // Escalate: fail as if we had thrown it
        }
    }

    /// <summary>Supervisor side of Restart: the child gets a fresh instance, keeps its mailbox.</summary>
    internal void RestartChild(ChildSlot slot, Exception cause) => slot.Ref.SendSystemMessage(new Recreate(cause));

    /// <summary>Supervisor side of Resume.</summary>
    internal static void ResumeChild(ChildSlot slot, Exception cause) => slot.Ref.SendSystemMessage(new Resume(cause));

    private void BeginRecreate(Exception cause)
    {
        if (_terminating)
        {
            return;
        }

        _awaitingSupervisor = false;
        _pendingRecreate = cause;
        var failedActor = _actor;
        var failedMessage = _failedMessage;
        _failedMessage = null;
        CancelAllTimers();
        UnstashAllOnRestart();
        if (failedActor is not null)
        {
            try
            {
                failedActor.AroundPreRestart(cause, failedMessage);
            }
            catch (Exception exception)
            {
                Publish(new Error(exception, Self.Path.ToString(), ActorType, $"Exception in PreRestart: {exception.Message}"));
            }
        }

        _actor = null;
        if (!HasStoppingChildren)
        {
            FinishRecreate();
        }
    }

    private void FinishRecreate()
    {
        var cause = _pendingRecreate!;
        _pendingRecreate = null;
        RestartCount++;
        try
        {
            _actor = NewActor();
            _actor.AroundPostRestart(cause);
        }
        catch (Exception exception)
        {
            HandleInvokeFailure(new ActorInitializationException(Self, $"Exception during restart of {Self.Path}: {exception.Message}", exception));
        }
    }

    private void BeginTerminate()
    {
        if (_terminating)
        {
            return;
        }

        _terminating = true;
        CancelAllTimers();
        StopAllChildren();
        if (!HasChildren)
        {
            FinishTerminate();
        }
    }

    private void FinishTerminate()
    {
        if (_actor is not null)
        {
            try
            {
                _actor.AroundPostStop();
            }
            catch (Exception exception)
            {
                Publish(new Error(exception, Self.Path.ToString(), ActorType, $"Exception in PostStop: {exception.Message}"));
            }
        }

        DeadLetterStash();
        Mailbox.Close();
        lock (_lock)
        {
            _terminated = true;
        }

        TellWatchersWeDied();
        ParentRef.SendSystemMessage(new ChildTerminated(Self));
        _actor = null;
        _behavior = null;
        _behaviorStack = null;
    }

    private Type ActorType => _actor?.GetType() ?? Props.ActorType;

    private void Publish(LogEvent logEvent) => System.EventStream.Publish(logEvent);
}
