namespace Autopilot.Actors;

/// <summary>Something scheduled that can be called off.</summary>
public interface ICancelable
{
    /// <summary>Calls it off; a no-op if it already ran (once) or was cancelled.</summary>
    void Cancel();

    /// <summary>Whether <see cref="Cancel"/> was called.</summary>
    bool IsCancellationRequested { get; }
}
