namespace Autopilot.Actors.Sql.GroupCommit;

/// <summary>An atomic write waiting in the group-commit queue, already serialized by its caller's thread.</summary>
internal sealed class PendingWrite(AtomicWrite write, SerializedPayload[] payloads)
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AtomicWrite Write { get; } = write;

    /// <summary>The serialized payloads, one per event of <see cref="Write"/>.</summary>
    public SerializedPayload[] Payloads { get; } = payloads;

    /// <summary>Completes when the write is durable, or fails with why it is not.</summary>
    public Task Completion => _completion.Task;

    public void Succeed() => _completion.TrySetResult();

    public void Fail(Exception error) => _completion.TrySetException(error);
}
