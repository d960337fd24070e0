namespace Autopilot.Simulator.Hosting;

/// <summary>
/// Holds back the answers to matching requests: the fake has already applied the request (the platform acted), but
/// the caller keeps waiting for the answer until the test calls <see cref="Release"/>. This is the window in which a
/// caller can die or stall with its side effect done but unacknowledged, which fail-over tests need to hit on purpose
/// rather than by luck.
/// </summary>
public sealed class AnswerHold
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _applied;

    /// <summary>Completes when the first matching request has been applied and its answer is being held.</summary>
    public Task Reached => _reached.Task;

    /// <summary>How many matching requests have been applied so far (held, or answered after the release).</summary>
    public int Applied => Volatile.Read(ref _applied);

    /// <summary>Answers every held request and lets later matching requests through without holding them.</summary>
    public void Release() => _released.TrySetResult();

    /// <summary>Called by the fake once a matching request was applied: waits for the release or for the caller to give up.</summary>
    internal async Task HoldAsync(CancellationToken requestAborted)
    {
        Interlocked.Increment(ref _applied);
        _reached.TrySetResult();
        try
        {
            await _released.Task.WaitAsync(requestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (requestAborted.IsCancellationRequested)
        {
            // The caller is gone (killed, or it gave up): there is nobody left to answer.
        }
    }
}
