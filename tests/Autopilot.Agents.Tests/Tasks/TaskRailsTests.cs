using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tasks;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Tasks;

/// <summary>
/// Tasks through the real orchestrator (its <c>tasks</c> child) and Railway fake: a task is a request, so pause,
/// dry-run and the budget decide it, and the outcome is recorded on the task.
/// </summary>
public sealed class TaskRailsTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private async Task<TaskView> SubmitAsync(IActorRef orchestrator, string kind, string target = Service)
    {
        var answer = await orchestrator.Ask<object>(
            new SubmitTask(kind, target, new Dictionary<string, string>(), TaskPriorities.Normal, null, null, "alice"), AskTimeout);
        return Assert.IsType<TaskAccepted>(answer).Task;
    }

    private TaskFinished AwaitFinished(string taskId)
    {
        AdvanceUntil(() => Journal(TaskQueue.DefaultPersistenceId).OfType<TaskFinished>().Any(f => f.TaskId == taskId), $"task {taskId} to finish");
        return Journal(TaskQueue.DefaultPersistenceId).OfType<TaskFinished>().Single(f => f.TaskId == taskId);
    }

    /// <summary>A deployment to roll back to and the current one; returns the current one's id.</summary>
    private string SeedTwoGoodDeployments()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Removed, Clock.GetUtcNow().AddHours(-2));
        return RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('2', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
    }

    [Fact]
    public async Task A_rollback_task_runs_as_an_orchestrator_action_and_ends_with_its_result()
    {
        var current = SeedTwoGoodDeployments();
        var orchestrator = StartOrchestrator();
        AdvanceUntilAudit<Observed>(o => o.DeploymentId == current, "the current deployment observed");

        var task = await SubmitAsync(orchestrator, "rollback");
        var finished = AwaitFinished(task.Id);

        Assert.Equal(TaskStatuses.Succeeded, finished.Outcome);
        var requested = Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "rollback");
        Assert.Equal(task.Id, requested.Parameters[ActionParameters.TaskId]);
        Assert.Equal(requested.ActionId, finished.ActionId);
        Assert.Contains(AuditTrail().OfType<ActionCompleted>(), c => c.ActionId == requested.ActionId);
        Assert.Equal(1, RailwayCalls("deploymentRollback"));
        var detail = await orchestrator.Ask<TaskDetail>(new GetTask(task.Id), AskTimeout);
        Assert.Equal(["submitted", "started", "finished"], detail.Timeline.Select(e => e.Event));
    }

    [Fact]
    public async Task A_task_submitted_while_paused_is_refused_and_recorded_as_such()
    {
        SeedTwoGoodDeployments();
        var orchestrator = StartOrchestrator();
        Assert.True((await orchestrator.Ask<ControlAck>(new PauseAutopilot("bob"), AskTimeout)).Accepted);

        var task = await SubmitAsync(orchestrator, "rollback");
        var finished = AwaitFinished(task.Id);

        Assert.Equal(TaskStatuses.Refused, finished.Outcome);
        Assert.Contains("paused", finished.Detail);
        Assert.Empty(AuditTrail().OfType<ActionRequested>());
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
    }

    [Fact]
    public async Task A_task_in_dry_run_is_decided_and_recorded_but_not_executed()
    {
        SeedTwoGoodDeployments();
        var orchestrator = StartOrchestrator();
        Assert.True((await orchestrator.Ask<ControlAck>(new SetDryRun(true), AskTimeout)).Accepted);

        var task = await SubmitAsync(orchestrator, "rollback");
        var finished = AwaitFinished(task.Id);

        Assert.Equal(TaskStatuses.DryRun, finished.Outcome);
        var decided = Assert.Single(AuditTrail().OfType<Decided>(), d => d.Situation == "task-requested");
        Assert.True(decided.DryRun);
        Assert.Equal(["rollback"], decided.Actions);
        Assert.Contains(task.Id, decided.Reason);
        Assert.Empty(AuditTrail().OfType<ActionRequested>());
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
    }

    [Fact]
    public async Task A_task_on_an_unknown_service_is_refused_by_the_orchestrator()
    {
        var orchestrator = StartOrchestrator();

        var task = await SubmitAsync(orchestrator, "rollback", "billing");
        var finished = AwaitFinished(task.Id);

        Assert.Equal(TaskStatuses.Refused, finished.Outcome);
        Assert.Contains("unknown service \"billing\"", finished.Detail);
    }
}

/// <summary>A service without budget left: a task's production change is put to a human, not carried out.</summary>
public sealed class TaskBudgetTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    /// <inheritdoc />
    protected override string ExtraConfig => "autopilot.agents.budget.max-actions-per-service = 0";

    [Fact]
    public async Task A_task_over_the_budget_asks_for_approval_and_is_recorded_as_needing_it()
    {
        var orchestrator = StartOrchestrator();

        var answer = await orchestrator.Ask<TaskAccepted>(
            new SubmitTask("rollback", Service, new Dictionary<string, string>(), TaskPriorities.High, null, null, "alice"), TimeSpan.FromSeconds(10));
        AdvanceUntil(() => Journal(TaskQueue.DefaultPersistenceId).OfType<TaskFinished>().Any(), "the task to finish");

        var finished = Journal(TaskQueue.DefaultPersistenceId).OfType<TaskFinished>().Single();
        Assert.Equal(answer.Task.Id, finished.TaskId);
        Assert.Equal(TaskStatuses.NeedsApproval, finished.Outcome);
        Assert.Contains("budget", finished.Detail);
        var approval = Assert.Single(AuditTrail().OfType<ApprovalRequested>());
        Assert.Equal("rollback", approval.Action);
        Assert.Contains(answer.Task.Id, approval.Reason);
        Assert.DoesNotContain(AuditTrail().OfType<ActionRequested>(), r => r.Action == "rollback");
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
    }
}
