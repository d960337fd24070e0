using System.Diagnostics;
using Autopilot.Actors;
using Autopilot.Actors.Configuration;
using Autopilot.Actors.Persistence;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Snapshots;
using Autopilot.Actors.Persistence.TCK;

namespace Autopilot.Benchmarks.Persistence;

/// <summary>
/// A burst of commands reaching one persistent actor while its first <c>Persist</c> is in flight, each command
/// persisting one event (an in-memory journal, so the figure is the actor's own cost): how long until the last
/// handler ran. Every command but the first waits held back, so this is where handing the backlog back costs most.
/// </summary>
internal static class PersistentActorBurst
{
    /// <summary>Rows for bursts of each size in <paramref name="bursts"/>: commands/s and the time to drain.</summary>
    public static async Task<List<string[]>> MeasureAsync(IReadOnlyList<int> bursts)
    {
        var rows = new List<string[]>();
        await DrainAsync(bursts[0]); // warm-up: JIT, tiering
        foreach (var burst in bursts)
        {
            var elapsed = await DrainAsync(burst);
            rows.Add(["in-memory", $"1 actor, burst of {burst:N0} Persist commands", $"{burst / elapsed.TotalSeconds:N0}", "", "", $"{elapsed.TotalMilliseconds:F0} ms"]);
        }

        return rows;
    }

    private static async Task<TimeSpan> DrainAsync(int burst)
    {
        var system = ActorSystem.Create("burst", ConfigurationFactory.ParseString("autopilot.stdout-loglevel = ERROR"));
        try
        {
            var serializer = PersistenceSpec.CreateSerializer();
            PersistenceExtension.Start(system, new InMemoryEventJournal(serializer), new InMemorySnapshotStore(serializer));
            var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var actor = system.ActorOf(Props.Create(() => new Counter(burst, recovered, drained)));
            await recovered.Task;
            var clock = Stopwatch.StartNew();
            for (var i = 1; i <= burst; i++)
                actor.Tell(i);
            await drained.Task;
            return clock.Elapsed;
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>Persists every number it is told; completes <c>drained</c> once the handler of the last one ran.</summary>
    private sealed class Counter : ReceivePersistentActor
    {
        private int _handled;

        public Counter(int expected, TaskCompletionSource recovered, TaskCompletionSource drained)
        {
            Recover<RecoveryCompleted>(_ => recovered.TrySetResult());
            Command<int>(n => Persist(new TckNote("burst", n), _ =>
            {
                if (++_handled == expected)
                    drained.TrySetResult();
            }));
        }

        public override string PersistenceId => "burst";
    }
}
