namespace Autopilot.Actors;

/// <summary>Applies the decision to the failed child only: its siblings carry on untouched.</summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    /// <summary>A one-for-one strategy.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed within the window; -1 unlimited.</param>
    /// <param name="withinTimeRange">The window; null for no reset.</param>
    /// <param name="decider">Exception → directive.</param>
    public OneForOneStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive> decider)
        : base(maxNrOfRetries, withinTimeRange, decider)
    {
    }

    /// <summary>Unlimited restarts with the given decider.</summary>
    public OneForOneStrategy(Func<Exception, Directive> decider)
        : this(-1, null, decider)
    {
    }

    internal override bool MayRestart(ActorCell.ChildSlot failed, IReadOnlyList<ActorCell.ChildSlot> children, DateTimeOffset now) =>
        failed.Stats.RequestRestartPermission(MaxNrOfRetries, WithinTimeRange, now);

    internal override void Apply(ActorCell parent, ActorCell.ChildSlot failed, Exception cause, Directive directive, IReadOnlyList<ActorCell.ChildSlot> children)
    {
        if (directive == Directive.Restart)
        {
            parent.RestartChild(failed, cause);
        }
        else
        {
            parent.Stop(failed.Ref);
        }
    }
}
