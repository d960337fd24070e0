using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Pattern;
using Autopilot.Agents.Fallback;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Fallback;
using Autopilot.Platforms.Redaction;
using Autopilot.Agents.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Isolation;

/// <summary>Scenario 6: a worker that throws on every message is restarted with growing backoff while its sibling keeps working.</summary>
public sealed class WorkerIsolationTests(ITestOutputHelper output) : AgentsTestKit(output), IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ScriptedHttpEndpoint _endpoint = new(TimeProvider.System);
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public Task InitializeAsync() => _endpoint.StartAsync();

    public async Task DisposeAsync()
    {
        await ShutdownAsync();
        await _endpoint.DisposeAsync();
        _http.Dispose();
    }

    /// <summary>A worker whose every message is a bug: counts its starts and throws.</summary>
    private sealed class BrokenWorker : ReceiveActor
    {
        public BrokenWorker(StrongBox<int> starts)
        {
            Interlocked.Increment(ref starts.Value);
            ReceiveAny(message => throw new InvalidOperationException($"cannot handle {message}"));
        }
    }

    /// <summary>The supervision tree under test: a broken worker behind a backoff supervisor next to a real fallback router.</summary>
    private sealed class WorkerTree : ReceiveActor
    {
        public sealed record To(string Child, object Message);

        public WorkerTree(Props broken, Props fallback, IActorRef observer)
        {
            Receive<To>(to => Context.Child(to.Child).Forward(to.Message));
            ReceiveAny(message => observer.Tell(message, Sender));
            // Restarts after a failure (not after a normal stop) with 1 s, 2 s, 4 s … (no random factor), indefinitely.
            Context.ActorOf(BackoffSupervisor.Props(Backoff.OnFailure(broken, "broken", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), 0, -1)), "broken-supervisor");
            Context.ActorOf(fallback, WorkerNames.Fallback);
        }
    }

    [Fact]
    public void Scenario_6_a_throwing_worker_is_restarted_with_growing_backoff_while_its_sibling_keeps_working()
    {
        var starts = new StrongBox<int>(0);
        var reports = CreateTestProbe();
        var fallback = FallbackRouter.Props(
            new FallbackSettings(new Dictionary<string, string> { ["wf-1"] = "invoices" },
                [new FallbackTier("api", FallbackTierKind.Http, FallbackSettings.DefaultHttpTimeout, _endpoint.Url("/run"), [])]),
            new FallbackTierRunner(_http, new Redactor(), Clock));
        var tree = Sys.ActorOf(Props.Create(() => new WorkerTree(Props.Create(() => new BrokenWorker(starts)), fallback, reports.Ref)), "workers");
        AwaitCondition(() => Volatile.Read(ref starts.Value) == 1, Wait);

        void SiblingStillWorks(string actionId)
        {
            tree.Tell(new WorkerTree.To(WorkerNames.Fallback, new RouteFallback(actionId, "wf-1", "", "test")), TestActor);
            var result = ExpectMsg<WorkerResult>(Wait);
            Assert.Equal((actionId, true), (result.ActionId, result.Success));
        }

        var expectedDelays = new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4) };
        for (var failure = 0; failure < expectedDelays.Length; failure++)
        {
            tree.Tell(new WorkerTree.To("broken-supervisor", $"job {failure}"));
            SiblingStillWorks($"while-down-{failure}");
            // The backoff clock starts when the supervisor has seen its child die; only then may time move.
            AwaitAssert(() =>
            {
                tree.Tell(new WorkerTree.To("broken-supervisor", BackoffSupervisor.GetCurrentChild.Instance), TestActor);
                Assert.Null(ExpectMsg<BackoffSupervisor.CurrentChild>(Wait).Ref);
            }, Wait);

            Scheduler.Advance(expectedDelays[failure] - TimeSpan.FromMilliseconds(100));
            SiblingStillWorks($"before-restart-{failure}");
            Assert.Equal(failure + 1, Volatile.Read(ref starts.Value));

            Scheduler.Advance(TimeSpan.FromMilliseconds(100));
            AwaitCondition(() => Volatile.Read(ref starts.Value) == failure + 2, Wait, message: $"restart {failure + 1} after {expectedDelays[failure]}");
        }

        tree.Tell(new WorkerTree.To("broken-supervisor", BackoffSupervisor.GetRestartCount.Instance), TestActor);
        Assert.Equal(3, ExpectMsg<BackoffSupervisor.RestartCount>(Wait).Count);
        Assert.Equal(3 * 2, _endpoint.Exchanges.Count(e => e.Path == "/run"));
    }
}
