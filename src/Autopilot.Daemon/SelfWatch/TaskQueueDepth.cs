using Autopilot.Agents.Tasks;
using Autopilot.Daemon.Runtime;

namespace Autopilot.Daemon.SelfWatch;

/// <summary>
/// Operator tasks waiting to start, as the self-watch and <c>/metrics</c> see them. The queue lives in the
/// orchestrator (the singleton, maybe on another node), so its depth is asked for rather than read: each read returns
/// the last answer and asks again in the background, one question at a time, so an evaluation never waits on the
/// cluster. Null until the first answer and while the orchestrator does not answer (no depth is not depth 0).
/// </summary>
public sealed class TaskQueueDepth(OrchestratorClient orchestrator)
{
    private const long Unknown = -1;
    private long _last = Unknown;
    private int _asking;

    /// <summary>The depth at the last answer, and a new question when none is in flight.</summary>
    public long? Read()
    {
        if (Interlocked.Exchange(ref _asking, 1) == 0)
        {
            _ = AskAsync();
        }

        var last = Interlocked.Read(ref _last);
        return last == Unknown ? null : last;
    }

    private async Task AskAsync()
    {
        try
        {
            var answer = await orchestrator.AskTasksAsync(new ListTasks(TaskStatuses.Queued), CancellationToken.None).ConfigureAwait(false);
            Interlocked.Exchange(ref _last, answer is TaskList list ? list.Tasks.Count : Unknown);
        }
        catch (Exception e) when (e is OrchestratorUnavailableException or OperationCanceledException)
        {
            Interlocked.Exchange(ref _last, Unknown);
        }
        finally
        {
            Interlocked.Exchange(ref _asking, 0);
        }
    }
}
