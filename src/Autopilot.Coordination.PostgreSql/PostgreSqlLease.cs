using System.Diagnostics;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Akka.Event;
using Npgsql;
using NpgsqlTypes;

namespace Autopilot.Coordination.PostgreSql;

/// <summary>
/// An Akka.Coordination <see cref="Lease"/> kept in one PostgreSQL row per lease name: the owner (host:port plus an
/// incarnation id), an expiry measured by the database clock, and a fencing token that grows by one on every
/// acquisition and is never reused. The holder renews the row every <c>heartbeat-interval</c>;
/// <see cref="CheckLease"/> is true only while the last successful acquire or renewal, counted from when its request
/// was sent on this process's monotonic clock, is younger than <c>heartbeat-timeout</c> minus <c>safety-margin</c>.
/// </summary>
/// <remarks>
/// Configured like Akka's lease plugins: a HOCON section (see <see cref="DefaultConfig"/> and
/// <see cref="DefaultConfigPath"/>) named by <c>akka.cluster.singleton.use-lease</c> or the Split Brain Resolver's
/// <c>lease-majority.lease-implementation</c>. Akka's <see cref="LeaseProvider"/> creates one instance per lease name,
/// section and owner; <see cref="LeaseProvider.GetLease"/> with the same arguments returns that instance, so a worker
/// can cast it and read <see cref="FencingToken"/>.
/// </remarks>
public sealed class PostgreSqlLease : Lease
{
    /// <summary>Where <see cref="DefaultConfig"/> puts the lease's section.</summary>
    public const string DefaultConfigPath = "autopilot.coordination.postgresql-lease";

    private readonly PostgreSqlLeaseSettings _settings;
    private readonly LeaseStatements _statements;
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILoggingAdapter _log;
    private readonly SemaphoreSlim _operations = new(1, 1);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly long _validityTicks;
    private Tenure? _tenure;
    private volatile bool _tableReady;

    /// <summary>Called by Akka's <see cref="LeaseProvider"/> with the section's settings.</summary>
    public PostgreSqlLease(LeaseSettings settings, ExtendedActorSystem system)
        : base(settings)
    {
        ArgumentNullException.ThrowIfNull(system);
        _settings = PostgreSqlLeaseSettings.Create(settings);
        _statements = new LeaseStatements(_settings.QuotedTableName);
        _log = Logging.GetLogger(system, typeof(PostgreSqlLease));
        _validityTicks = ToTicks(_settings.ValidityWindow);
        Incarnation = Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
        Owner = $"{settings.OwnerName}#{Incarnation}";
        _dataSource = NpgsqlDataSource.Create(_settings.ConnectionString);
        system.RegisterOnTermination(Shutdown);
        _log.Info("PostgreSQL lease [{0}] for owner [{1}] ({2})", settings.LeaseName, Owner, _settings);
    }

    /// <summary>
    /// The owner written to the row: <see cref="LeaseSettings.OwnerName"/> (host:port), <c>#</c>, then
    /// <see cref="Incarnation"/>. A node restarted on the same host and port is a different owner.
    /// </summary>
    public string Owner { get; }

    /// <summary>Random id of this lease instance, new for every process (and every lease object).</summary>
    public string Incarnation { get; }

    /// <summary>The settings read from the lease's HOCON section.</summary>
    public PostgreSqlLeaseSettings PostgreSqlSettings => _settings;

    /// <summary>
    /// The fencing token of the tenure this instance can prove it holds right now, or null (exactly when
    /// <see cref="CheckLease"/> is false). Record it with the action, and check the lease again right before a
    /// guarded call.
    /// </summary>
    public long? FencingToken => TryGetFencingToken(out var token) ? token : null;

    /// <summary>The Akka section for this lease, with its defaults; add a <c>connection-string</c> to use it.</summary>
    /// <remarks>
    /// <code>
    /// autopilot.coordination.postgresql-lease {
    ///   lease-class = "Autopilot.Coordination.PostgreSql.PostgreSqlLease, Autopilot.Coordination.PostgreSql"
    ///   heartbeat-timeout = 5s          # how long a silent holder blocks the others (database clock)
    ///   heartbeat-interval = 500ms      # renewal period; must be below half of heartbeat-timeout
    ///   lease-operation-timeout = 2s    # one acquire / renew / release round trip
    ///   safety-margin = ""              # empty: heartbeat-interval
    ///   connection-string = ""          # required
    ///   table-name = "akka_leases"      # created if missing; "schema.table" allowed
    /// }
    /// </code>
    /// </remarks>
    public static Config DefaultConfig() => ConfigurationFactory.ParseString($$"""
        {{DefaultConfigPath}} {
          lease-class = "{{typeof(PostgreSqlLease).FullName}}, {{typeof(PostgreSqlLease).Assembly.GetName().Name}}"
          heartbeat-timeout = 5s
          heartbeat-interval = 500ms
          lease-operation-timeout = 2s
          safety-margin = ""
          connection-string = ""
          table-name = "{{PostgreSqlLeaseSettings.DefaultTableName}}"
        }
        """);

    /// <inheritdoc />
    public override Task<bool> Acquire() => Acquire(null!);

    /// <summary>
    /// Takes the lease if it is free, released, expired by the database clock, or already this instance's. True: held
    /// with a new, higher <see cref="FencingToken"/> (or the current one if this instance already held it). False:
    /// someone else holds it. Fails with <see cref="LeaseTimeoutException"/> or <see cref="LeaseException"/> when the
    /// database did not answer in time or at all (it might then hold the row for us until it expires).
    /// </summary>
    /// <param name="leaseLostCallback">
    /// Called once, after the returned task completed, when the lease is lost: a renewal found the row taken or
    /// expired, or no renewal succeeded within the validity window. Not called on <see cref="Release"/>.
    /// </param>
    public override Task<bool> Acquire(Action<Exception> leaseLostCallback)
    {
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = AcquireAsync(leaseLostCallback, completed.Task);
        task.ContinueWith(_ => completed.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    /// <summary>
    /// Hands the lease over at once: this instance stops claiming it before the database is asked, and the row is
    /// freed (its token kept, so the next holder's is higher). True when a row of ours was freed, false when this
    /// instance held nothing (or the row had been taken meanwhile). The lost-lease callback is not called.
    /// </summary>
    public override async Task<bool> Release()
    {
        await _operations.WaitAsync().ConfigureAwait(false);
        try
        {
            var tenure = Interlocked.Exchange(ref _tenure, null);
            if (tenure is null)
                return false;
            tenure.End();
            var released = await RunAsync("Release", ct => ReleaseRowAsync(tenure.Token, ct)).ConfigureAwait(false);
            if (released)
                _log.Info("Released lease [{0}] (token {1}) held by [{2}]", Settings.LeaseName, tenure.Token, Owner);
            else
                _log.Warning("Lease [{0}] (token {1}) was no longer [{2}]'s in the database when released", Settings.LeaseName, tenure.Token, Owner);
            return released;
        }
        finally
        {
            _operations.Release();
        }
    }

    /// <summary>
    /// True only while this instance can prove it holds the lease: its last successful acquire or renewal was sent
    /// less than <see cref="PostgreSqlLeaseSettings.ValidityWindow"/> ago on the monotonic clock. A paused process
    /// or a slow round trip makes it false; it never turns true again for the same tenure.
    /// </summary>
    public override bool CheckLease() => TryGetFencingToken(out _);

    /// <summary>Like <see cref="CheckLease"/>, and gives the held tenure's fencing token.</summary>
    public bool TryGetFencingToken(out long token)
    {
        var tenure = Volatile.Read(ref _tenure);
        if (tenure is not null && tenure.IsValidAt(Stopwatch.GetTimestamp()))
        {
            token = tenure.Token;
            return true;
        }

        token = 0;
        return false;
    }

    /// <summary>
    /// The lease's row as the database sees it now (for operators): owner, fencing token and time left by the
    /// database clock; null when the lease was never taken.
    /// </summary>
    public async Task<PostgreSqlLeaseRecord?> ReadAsync(CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        return await RunAsync("Read", async ct =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, cancellationToken);
            await using var command = _dataSource.CreateCommand(_statements.Read);
            command.Parameters.AddWithValue("name", Settings.LeaseName);
            await using var reader = await command.ExecuteReaderAsync(linked.Token).ConfigureAwait(false);
            if (!await reader.ReadAsync(linked.Token).ConfigureAwait(false))
                return null;
            var owner = reader.IsDBNull(0) ? null : reader.GetString(0);
            var left = reader.IsDBNull(2) ? (TimeSpan?)null : reader.GetFieldValue<TimeSpan>(2);
            return new PostgreSqlLeaseRecord(Settings.LeaseName, owner, reader.GetInt64(1), left);
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"PostgreSqlLease({Settings.LeaseName}, {Owner})";

    private async Task<bool> AcquireAsync(Action<Exception>? onLost, Task acquireCompleted)
    {
        await _operations.WaitAsync().ConfigureAwait(false);
        try
        {
            var current = Volatile.Read(ref _tenure);
            if (current is not null)
            {
                if (current.IsValidAt(Stopwatch.GetTimestamp()))
                {
                    if (onLost is not null)
                        current.OnLost = onLost;
                    return true;
                }

                Lose(current, new LeaseTimeoutException(
                    $"Lease [{Settings.LeaseName}] (token {current.Token}) was not renewed within {_settings.ValidityWindow}."));
            }

            await EnsureTableAsync().ConfigureAwait(false);
            var sent = Stopwatch.GetTimestamp();
            var token = await RunAsync("Acquire", AcquireRowAsync).ConfigureAwait(false);
            if (token is null)
            {
                _log.Debug("Lease [{0}] is held by someone else; [{1}] did not get it", Settings.LeaseName, Owner);
                return false;
            }

            var tenure = new Tenure(token.Value, sent + _validityTicks, onLost);
            if (!tenure.IsValidAt(Stopwatch.GetTimestamp()))
            {
                // The answer came too late to prove anything (a pause or a very slow round trip): give it back.
                _log.Warning("Lease [{0}] (token {1}) was granted too late to be trusted; giving it back", Settings.LeaseName, tenure.Token);
                _ = ReleaseBestEffortAsync(tenure.Token);
                return false;
            }

            Volatile.Write(ref _tenure, tenure);
            _log.Info("Acquired lease [{0}] for [{1}] with fencing token {2}", Settings.LeaseName, Owner, tenure.Token);
            _ = Task.Run(() => HeartbeatAsync(tenure, acquireCompleted));
            return true;
        }
        finally
        {
            _operations.Release();
        }
    }

    private async Task HeartbeatAsync(Tenure tenure, Task acquireCompleted)
    {
        await acquireCompleted.ConfigureAwait(false);
        var stop = tenure.Stopped;
        var pause = _settings.HeartbeatInterval;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                // Wake up no later than the end of the validity window, so a loss is reported when it happens.
                var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), tenure.ValidUntil);
                await Task.Delay(left < pause ? Max(left, TimeSpan.Zero) : pause, stop).ConfigureAwait(false);

                var sent = Stopwatch.GetTimestamp();
                if (!tenure.IsValidAt(sent))
                {
                    Lose(tenure, new LeaseTimeoutException(
                        $"Lease [{Settings.LeaseName}] (token {tenure.Token}) was not renewed within {_settings.ValidityWindow}."));
                    return;
                }

                var remaining = Stopwatch.GetElapsedTime(sent, tenure.ValidUntil);
                bool renewed;
                try
                {
                    renewed = await RunAsync("Renewal", ct => RenewRowAsync(tenure.Token, ct),
                        remaining < _settings.OperationTimeout ? remaining : _settings.OperationTimeout).ConfigureAwait(false);
                }
                catch (LeaseException e) when (!stop.IsCancellationRequested)
                {
                    _log.Warning("Renewal of lease [{0}] (token {1}) failed, still valid for {2}: {3}",
                        Settings.LeaseName, tenure.Token, Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), tenure.ValidUntil), e.Message);
                    // Retry sooner than a full interval: after a database restart the first try often meets a dead
                    // pooled connection, and the validity window is short.
                    pause = _settings.HeartbeatInterval / 4;
                    continue;
                }

                pause = _settings.HeartbeatInterval;

                if (!renewed)
                {
                    Lose(tenure, new LeaseException(
                        $"Lease [{Settings.LeaseName}] (token {tenure.Token}) is no longer [{Owner}]'s in the database (expired or taken over)."));
                    return;
                }

                tenure.Extend(sent + _validityTicks);
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // Released, lost or shut down: whoever stopped it has already dealt with the tenure.
        }
        catch (Exception e)
        {
            Lose(tenure, new LeaseException($"Heartbeat of lease [{Settings.LeaseName}] stopped unexpectedly.", e));
        }
    }

    /// <summary>Ends a tenure for good, frees its row if the database still lists it, then tells the holder once.</summary>
    private void Lose(Tenure tenure, Exception reason)
    {
        if (!tenure.End())
            return;
        Interlocked.CompareExchange(ref _tenure, null, tenure);
        _log.Warning("Lost lease [{0}] (token {1}) held by [{2}]: {3}", Settings.LeaseName, tenure.Token, Owner, reason.Message);
        _ = ReleaseBestEffortAsync(tenure.Token);
        try
        {
            tenure.OnLost?.Invoke(reason);
        }
        catch (Exception e)
        {
            _log.Error(e, "Lost-lease callback of lease [{0}] failed", Settings.LeaseName);
        }
    }

    private async Task ReleaseBestEffortAsync(long token)
    {
        try
        {
            await RunAsync("Release", ct => ReleaseRowAsync(token, ct)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // It expires by itself.
            _log.Debug("Could not free lease [{0}] (token {1}): {2}", Settings.LeaseName, token, e.Message);
        }
    }

    private async Task EnsureTableAsync()
    {
        if (_tableReady)
            return;
        await RunAsync("Table creation", async ct =>
        {
            try
            {
                await using var command = _dataSource.CreateCommand(_statements.CreateTable);
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
            {
                // Another node created it at the same moment.
            }

            return true;
        }).ConfigureAwait(false);
        _tableReady = true;
    }

    private async Task<long?> AcquireRowAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(_statements.Acquire);
        AddTenureParameters(command, token: null);
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return result is null or DBNull ? null : Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<bool> RenewRowAsync(long token, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(_statements.Renew);
        AddTenureParameters(command, token);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task<bool> ReleaseRowAsync(long token, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(_statements.Release);
        AddTenureParameters(command, token);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private void AddTenureParameters(NpgsqlCommand command, long? token)
    {
        command.Parameters.AddWithValue("name", NpgsqlDbType.Text, Settings.LeaseName);
        command.Parameters.AddWithValue("owner", NpgsqlDbType.Text, Owner);
        command.Parameters.AddWithValue("ttl", NpgsqlDbType.Interval, _settings.HeartbeatTimeout);
        if (token is not null)
            command.Parameters.AddWithValue("token", NpgsqlDbType.Bigint, token.Value);
    }

    /// <summary>
    /// Runs one database operation bounded by <paramref name="timeout"/> (default: lease-operation-timeout) and turns
    /// every failure into a <see cref="LeaseException"/> whose message names the operation, never the connection.
    /// </summary>
    private async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> action, TimeSpan? timeout = null)
    {
        var limit = timeout ?? _settings.OperationTimeout;
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        cancellation.CancelAfter(limit);
        Task<T> task;
        try
        {
            task = action(cancellation.Token);
        }
        catch (Exception e)
        {
            throw Wrap(operation, e, limit);
        }

        try
        {
            // Npgsql may take a little longer to give up after cancelling; the caller is not kept waiting for it.
            return await task.WaitAsync(limit).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (!task.IsCompleted)
                _ = task.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw Wrap(operation, e, limit);
        }
    }

    private LeaseException Wrap(string operation, Exception e, TimeSpan limit)
    {
        if (_shutdown.IsCancellationRequested)
            return new LeaseException($"{operation} of lease [{Settings.LeaseName}] stopped: the actor system is shutting down.");
        if (e is TimeoutException or OperationCanceledException || (e is NpgsqlException { InnerException: TimeoutException }))
            return new LeaseTimeoutException($"{operation} of lease [{Settings.LeaseName}] timed out after {limit}.", e);
        var code = e is PostgresException pg ? $" (SQLSTATE {pg.SqlState})" : "";
        return new LeaseException($"{operation} of lease [{Settings.LeaseName}] failed: {e.GetType().Name}{code}.", e);
    }

    /// <summary>
    /// The actor system terminated: stop claiming the lease and heartbeating (no callback; the row is left to expire,
    /// as after a crash, unless it was released before).
    /// </summary>
    private void Shutdown()
    {
        Interlocked.Exchange(ref _tenure, null)?.End();
        _shutdown.Cancel();
        _dataSource.Dispose();
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>One holding of the lease: one fencing token, a validity that only renewals extend, ended once.</summary>
    private sealed class Tenure(long token, long validUntil, Action<Exception>? onLost)
    {
        private readonly CancellationTokenSource _stop = new();
        private long _validUntil = validUntil;
        private int _ended;

        public long Token { get; } = token;

        public long ValidUntil => Volatile.Read(ref _validUntil);

        public Action<Exception>? OnLost { get; set; } = onLost;

        public CancellationToken Stopped => _stop.Token;

        public bool IsValidAt(long timestamp) => Volatile.Read(ref _ended) == 0 && timestamp < ValidUntil;

        /// <summary>Only the heartbeat loop calls this, with ever later send times.</summary>
        public void Extend(long validUntil) => Volatile.Write(ref _validUntil, validUntil);

        /// <summary>Ends the tenure and stops its heartbeat; true only for the first call.</summary>
        public bool End()
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
                return false;
            _stop.Cancel();
            return true;
        }
    }
}

/// <summary>A lease row as the database sees it.</summary>
/// <param name="LeaseName">The lease name (primary key).</param>
/// <param name="Owner">host:port#incarnation of the last holder, null after a release.</param>
/// <param name="FencingToken">The last token handed out (kept after release).</param>
/// <param name="ExpiresIn">Time left by the database clock (negative once expired), null after a release.</param>
public sealed record PostgreSqlLeaseRecord(string LeaseName, string? Owner, long FencingToken, TimeSpan? ExpiresIn)
{
    /// <summary>True when the row names a holder whose time has not run out.</summary>
    public bool IsHeld => Owner is not null && ExpiresIn > TimeSpan.Zero;
}
