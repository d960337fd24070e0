namespace Autopilot.Actors.Sql.Connectivity;

/// <summary>
/// The health a SQL store reports, updated from start-up attempts and from the writer. Logs on changes of state
/// (and once per failed start-up attempt, see <see cref="StartupRetry"/>), never once per failed write.
/// </summary>
public sealed class StoreHealth(string storeName, RedactedConnection connection, ILogger logger)
{
    private readonly object _gate = new();
    private JournalHealth _current = JournalHealth.Starting;

    /// <summary>The current state.</summary>
    public JournalHealth Current
    {
        get { lock (_gate) return _current; }
    }

    /// <summary>Records a failure to reach the database and returns how many happened in a row.</summary>
    public int ReportUnreachable(Exception error, bool logTransition)
    {
        var detail = connection.Explain(error);
        bool wasReachable;
        int failures;
        lock (_gate)
        {
            wasReachable = _current.Status != JournalStatus.Unreachable;
            failures = _current.ConsecutiveFailures + 1;
            _current = new JournalHealth(JournalStatus.Unreachable, detail, failures);
        }

        if (logTransition && wasReachable)
            logger.LogError("{Store} lost its database: {Detail}", storeName, detail);
        return failures;
    }

    /// <summary>Records that the database answered.</summary>
    public void ReportHealthy()
    {
        JournalHealth previous;
        lock (_gate)
        {
            previous = _current;
            _current = JournalHealth.Healthy;
        }

        if (previous.Status == JournalStatus.Unreachable)
            logger.LogInformation("{Store} reached {Target} again after {Failures} failed attempts", storeName, connection.Description, previous.ConsecutiveFailures);
    }
}
