namespace Autopilot.Actors.Sql.Tests.Support;

/// <summary>
/// A back end's store for one test: everything the TCK suites need to run over it, so each back end says it once
/// rather than once per suite (see <see cref="JournalSuite"/>). Disposing removes the store, after every journal
/// and snapshot store over it is disposed.
/// </summary>
public interface IStoreUnderTest : IAsyncDisposable
{
    /// <summary>Creates the store (database, file) before the first journal is opened.</summary>
    Task PrepareAsync();

    /// <summary>A new journal instance over the store, not started, as a restarted process would open it.</summary>
    IEventJournal CreateJournal(EventSerializer serializer);

    /// <summary>A new snapshot store instance over the store, not started.</summary>
    ISnapshotStore CreateSnapshotStore(EventSerializer serializer);
}

/// <summary>
/// A store that another process can open too, by <see cref="PersistencePlugins"/> plugin name and connection
/// string (the crash tests write to it from a child process).
/// </summary>
public interface ISqlStoreUnderTest : IStoreUnderTest
{
    /// <summary>Plugin name for <see cref="PersistencePlugins.Create"/>.</summary>
    string Plugin { get; }

    /// <summary>Connection string of the store, valid after <see cref="IStoreUnderTest.PrepareAsync"/>.</summary>
    string ConnectionString { get; }
}
