using Autopilot.Actors.Sql.CrashWriter;

namespace Autopilot.Actors.Sql.Tests.Crash;

/// <summary>
/// Kills a process that is writing through the group commit at random moments, many times, then checks that every
/// acknowledged event is stored, intact, once, with gap-free sequence numbers, and that replay rebuilds the same
/// state every time.
/// </summary>
/// <param name="store">An empty store, prepared before the test and removed after it.</param>
public abstract class CrashRecoverySpec(ISqlStoreUnderTest store) : IAsyncLifetime
{
    private const int Runs = 20;
    private const int Streams = 4;

    public Task InitializeAsync() => store.PrepareAsync();

    public async Task DisposeAsync() => await store.DisposeAsync();

    [Fact]
    public async Task Every_acknowledged_event_survives_repeated_sigkills_intact_and_exactly_once()
    {
        var random = new Random(20260301); // fixed seed: the same kill moments on every run of the suite
        var acknowledged = new HashSet<(string, long)>();
        for (var run = 0; run < Runs; run++)
        {
            using var writer = CrashWriterProcess.Start(store.Plugin, store.ConnectionString, Streams, "crash");
            await writer.WaitUntilReadyAsync();
            await Task.Delay(random.Next(100, 400));
            await writer.KillAsync();
            acknowledged.UnionWith(writer.Acks);
        }

        Assert.NotEmpty(acknowledged);
        var firstReplay = await ReplayStateAsync(acknowledged);
        var secondReplay = await ReplayStateAsync(acknowledged);
        Assert.Equal(firstReplay, secondReplay);
    }

    /// <summary>Reopens the journal, verifies every stream and returns the state a replay rebuilds (count and sum per stream).</summary>
    private async Task<Dictionary<string, TckCounterState>> ReplayStateAsync(IReadOnlySet<(string PersistenceId, long SequenceNr)> acknowledged)
    {
        await using var plugin = PersistencePlugins.Create(store.Plugin, store.ConnectionString, PersistenceSpec.CreateSerializer(), NullLogger.Instance, TimeProvider.System);
        await plugin.Journal.StartAsync(CancellationToken.None);
        var state = new Dictionary<string, TckCounterState>();
        for (var s = 0; s < Streams; s++)
        {
            var pid = $"crash-{s}";
            var highest = await plugin.Journal.ReadHighestSequenceNrAsync(pid);
            var replayed = new List<EventEnvelope>();
            await foreach (var envelope in plugin.Journal.ReplayAsync(pid, 1, long.MaxValue))
                replayed.Add(envelope);

            Assert.Equal(Enumerable.Range(1, (int)highest).Select(i => (long)i), replayed.Select(e => e.SequenceNr));
            Assert.All(replayed, e => Assert.Equal(CrashPayload.For(pid, e.SequenceNr), e.Event));
            var missing = acknowledged.Where(a => a.PersistenceId == pid && a.SequenceNr > highest).ToArray();
            Assert.True(missing.Length == 0, $"acknowledged but lost: {string.Join(", ", missing.Take(5))}");
            state[pid] = replayed.Aggregate(new TckCounterState(0, 0), (current, e) => current.Apply((TckNote)e.Event));
        }

        return state;
    }
}
