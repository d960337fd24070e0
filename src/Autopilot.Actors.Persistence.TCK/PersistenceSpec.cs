using System.Text.Json.Nodes;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Persistence.Snapshots;
using Xunit;

namespace Autopilot.Actors.Persistence.TCK;

/// <summary>
/// Base of the contract suites: a back end's test class says how to open a journal and a snapshot store over its
/// store, and inherits the tests. Every call to <see cref="CreateJournal"/> must return a new instance over the
/// same stored data (as a restarted process would see it), so the suites can test reopening and cross-instance
/// reads. Tests use fresh persistence ids and tags, but the journal-wide fence (<see cref="IEventJournal.RaiseFenceAsync"/>)
/// belongs to the whole store, so each test needs a store of its own.
/// </summary>
public abstract class PersistenceSpec : IAsyncLifetime
{
    /// <summary>Timestamp of sequence number 0; event n is stamped n milliseconds later (whole milliseconds survive every back end).</summary>
    protected static readonly DateTimeOffset BaseTime = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<IAsyncDisposable> _opened = [];

    /// <summary>A new journal instance over this test's store, not started.</summary>
    protected abstract IEventJournal CreateJournal(EventSerializer serializer);

    /// <summary>A new snapshot store instance over this test's store, not started.</summary>
    protected abstract ISnapshotStore CreateSnapshotStore(EventSerializer serializer);

    /// <summary>Creates the store (temp file, database) before the first journal is opened.</summary>
    protected virtual Task PrepareStoreAsync() => Task.CompletedTask;

    /// <summary>Removes the store after every instance is disposed.</summary>
    protected virtual Task CleanupStoreAsync() => Task.CompletedTask;

    /// <summary>A serializer with the TCK's event and snapshot types registered.</summary>
    public static EventSerializer CreateSerializer() =>
        new EventSerializer().Register<TckNote>().Register<TckCounterState>();

    /// <summary>A serializer that also knows the price event at version 2, upcasting version 1.</summary>
    public static EventSerializer CreateUpcastingSerializer() =>
        CreateSerializer()
            .Register<TckPrice>("tck.price", version: 2)
            .RegisterUpcaster("tck.price", fromVersion: 1, json =>
            {
                var price = json.AsObject();
                price["value"] = price["amount"]?.DeepClone();
                price.Remove("amount");
                price["currency"] = "EUR";
                return price;
            });

    /// <inheritdoc />
    public virtual Task InitializeAsync() => PrepareStoreAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        for (var i = _opened.Count - 1; i >= 0; i--)
            await _opened[i].DisposeAsync();
        await CleanupStoreAsync();
    }

    /// <summary>Creates and starts a journal over this test's store; disposed after the test.</summary>
    protected async Task<IEventJournal> OpenJournalAsync(EventSerializer? serializer = null)
    {
        var journal = CreateJournal(serializer ?? CreateSerializer());
        _opened.Add(journal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await journal.StartAsync(timeout.Token);
        return journal;
    }

    /// <summary>Creates and starts a snapshot store over this test's store; disposed after the test.</summary>
    protected async Task<ISnapshotStore> OpenSnapshotStoreAsync(EventSerializer? serializer = null)
    {
        var store = CreateSnapshotStore(serializer ?? CreateSerializer());
        _opened.Add(store);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await store.StartAsync(timeout.Token);
        return store;
    }

    /// <summary>A persistence id no other test uses.</summary>
    protected static string NewPersistenceId(string purpose) => $"{purpose}-{Guid.NewGuid():N}";

    /// <summary>A note event; its number is its sequence number unless given.</summary>
    protected static PersistentEvent Note(string persistenceId, long sequenceNr, string? text = null, int? number = null, params string[] tags) =>
        new(persistenceId, sequenceNr, new TckNote(text ?? $"note {sequenceNr}", number ?? (int)sequenceNr), tags, BaseTime.AddMilliseconds(sequenceNr));

    /// <summary>An atomic write of <paramref name="count"/> notes from <paramref name="fromSequenceNr"/>.</summary>
    protected static AtomicWrite Notes(string persistenceId, long fromSequenceNr, int count, string? text = null, long? fencingToken = null, params string[] tags) =>
        new(persistenceId, Enumerable.Range(0, count).Select(i => Note(persistenceId, fromSequenceNr + i, text, tags: tags)).ToArray(), fencingToken);

    /// <summary>Drains an async sequence.</summary>
    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
            list.Add(item);
        return list;
    }

    /// <summary>Every event of a stream, as stored now.</summary>
    protected static Task<List<EventEnvelope>> ReplayAllAsync(IEventJournal journal, string persistenceId) =>
        ToListAsync(journal.ReplayAsync(persistenceId, 1, long.MaxValue));
}
