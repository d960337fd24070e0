namespace Autopilot.Actors;

/// <summary>What a supervisor does with a child that failed.</summary>
public enum Directive
{
    /// <summary>Keep the instance and its state; drop the failing message.</summary>
    Resume,

    /// <summary>Replace the instance with a fresh one; the mailbox is kept, the failing message dropped.</summary>
    Restart,

    /// <summary>Stop the child.</summary>
    Stop,

    /// <summary>Fail the supervisor itself with the same exception, handing the decision up.</summary>
    Escalate,
}
