namespace Autopilot.Actors;

/// <summary>
/// Applies the decision to every child: for children that only make sense together (one restarts, all restart).
/// </summary>
public sealed class AllForOneStrategy : SupervisorStrategy
{
    /// <summary>An all-for-one strategy.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed within the window; -1 unlimited.</param>
    /// <param name="withinTimeRange">The window; null for no reset.</param>
    /// <param name="decider">Exception → directive.</param>
    public AllForOneStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive> decider)
        : base(maxNrOfRetries, withinTimeRange, decider)
    {
    }

    /// <summary>Unlimited restarts with the given decider.</summary>
    public AllForOneStrategy(Func<Exception, Directive> decider)
        : this(-1, null, decider)
    {
    }

    internal override bool MayRestart(ActorCell.ChildSlot failed, IReadOnlyList<ActorCell.ChildSlot> children, DateTimeOffset now) =>
        children.All(child => child.Stats.RequestRestartPermission(MaxNrOfRetries, WithinTimeRange, now));

    internal override void Apply(ActorCell parent, ActorCell.ChildSlot failed, Exception cause, Directive directive, IReadOnlyList<ActorCell.ChildSlot> children)
    {
        foreach (var child in children)
        {
            if (directive == Directive.Restart)
            {
                parent.RestartChild(child, cause);
            }
            else
            {
                parent.Stop(child.Ref);
            }
        }
    }
}
