using Autopilot.Actors.Event;

namespace Autopilot.Actors;

/// <summary>
/// How a parent handles a failing child. Akka's semantics: the decider maps the exception to a
/// <see cref="Directive"/>; Restart is limited to <see cref="MaxNrOfRetries"/> within <see cref="WithinTimeRange"/>
/// (exceeding it stops the child); failures are logged on the event stream.
/// </summary>
public abstract class SupervisorStrategy
{
    /// <summary>Creates a strategy.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed within the window; -1 unlimited, 0 none.</param>
    /// <param name="withinTimeRange">The window; null means the count never resets.</param>
    /// <param name="decider">Exception → directive.</param>
    protected SupervisorStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive> decider)
    {
        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        Decider = decider;
    }

    /// <summary>Restarts allowed within <see cref="WithinTimeRange"/>; -1 unlimited.</summary>
    public int MaxNrOfRetries { get; }

    /// <summary>Window for <see cref="MaxNrOfRetries"/>.</summary>
    public TimeSpan? WithinTimeRange { get; }

    /// <summary>Maps a failure to a directive.</summary>
    public Func<Exception, Directive> Decider { get; }

    /// <summary>
    /// Akka's default decider: actor initialization failures, kills and death pacts stop the child, and so does a
    /// persistent actor's journal failure (as in Akka: restarting at once would only hammer a store that is down);
    /// any other exception restarts it.
    /// </summary>
    public static Directive DefaultDecider(Exception cause) => cause switch
    {
        ActorInitializationException or ActorKilledException or DeathPactException or Persistence.PersistenceFailureException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>Akka's default: one-for-one, unlimited restarts, <see cref="DefaultDecider"/>.</summary>
    public static SupervisorStrategy Default { get; } = new OneForOneStrategy(-1, null, DefaultDecider);

    /// <summary>Stops any failing child.</summary>
    public static SupervisorStrategy Stopping { get; } = new OneForOneStrategy(-1, null, _ => Directive.Stop);

    /// <summary>Applies a Restart or Stop decision to the failed child (one-for-one) or to all children (all-for-one).</summary>
    internal abstract void Apply(ActorCell parent, ActorCell.ChildSlot failed, Exception cause, Directive directive, IReadOnlyList<ActorCell.ChildSlot> children);

    /// <summary>Restart-permission bookkeeping differs between one-for-one and all-for-one.</summary>
    internal abstract bool MayRestart(ActorCell.ChildSlot failed, IReadOnlyList<ActorCell.ChildSlot> children, DateTimeOffset now);

    /// <summary>Decides and acts; false means Escalate.</summary>
    internal bool HandleFailure(ActorCell parent, ActorCell.ChildSlot failed, Exception cause)
    {
        var directive = Decider(cause);
        var children = parent.ChildSlots.Where(s => !s.Stopping).ToArray();
        switch (directive)
        {
            case Directive.Resume:
                Log(parent, failed, cause, directive);
                ActorCell.ResumeChild(failed, cause);
                return true;
            case Directive.Restart when !MayRestart(failed, children, parent.System.Scheduler.Now):
                Log(parent, failed, cause, Directive.Stop, $" (restart limit of {MaxNrOfRetries} within {WithinTimeRange?.ToString() ?? "any time"} reached)");
                Apply(parent, failed, cause, Directive.Stop, children);
                return true;
            case Directive.Restart:
            case Directive.Stop:
                Log(parent, failed, cause, directive);
                Apply(parent, failed, cause, directive, children);
                return true;
            default:
                return false;
        }
    }

    private static void Log(ActorCell parent, ActorCell.ChildSlot failed, Exception cause, Directive directive, string note = "")
    {
        var message = $"{cause.GetType().Name}: {cause.Message} → {directive}{note}";
        LogEvent logEvent = directive == Directive.Resume
            ? new Warning(failed.Ref.Path.ToString(), typeof(SupervisorStrategy), message, cause)
            : new Error(cause, failed.Ref.Path.ToString(), failed.Ref.Cell.Props.ActorType, message);
        parent.System.EventStream.Publish(logEvent);
    }
}
