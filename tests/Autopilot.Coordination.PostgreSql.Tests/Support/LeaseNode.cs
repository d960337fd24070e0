using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Akka.Event;

namespace Autopilot.Coordination.PostgreSql.Tests.Support;

/// <summary>
/// One actor system (no cluster, no remoting) with the PostgreSQL lease created the way Akka's singleton does it:
/// through <see cref="LeaseProvider"/> from the HOCON section. Captures the system's log events and the lease's
/// lost-lease callbacks.
/// </summary>
public sealed class LeaseNode : IAsyncDisposable
{
    private static int _nextPort = 2551;
    private readonly ConcurrentQueue<Exception> _lost = new();
    private readonly TaskCompletionSource<Exception> _firstLost = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LeaseNode(ActorSystem system, PostgreSqlLease lease, ConcurrentQueue<LogEvent> logs)
    {
        System = system;
        Lease = lease;
        Logs = logs;
    }

    public ActorSystem System { get; }

    public PostgreSqlLease Lease { get; }

    /// <summary>Every log event the system published (at the configured level).</summary>
    public ConcurrentQueue<LogEvent> Logs { get; }

    /// <summary>Reasons given to the lost-lease callbacks, in order.</summary>
    public IReadOnlyCollection<Exception> Lost => _lost.ToArray();

    /// <summary>Completes with the first lost-lease callback's reason.</summary>
    public Task<Exception> FirstLost => _firstLost.Task;

    /// <summary>Starts a system whose lease section points at <paramref name="connectionString"/>.</summary>
    /// <param name="owner">host:port given to <see cref="LeaseProvider.GetLease"/>; a fresh one when null.</param>
    public static LeaseNode Start(string connectionString, string leaseName, string? owner = null, LeaseTimings? timings = null,
        string logLevel = "INFO")
    {
        timings ??= LeaseTimings.Fast;
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = {{logLevel}}
            akka.stdout-loglevel = WARNING
            {{PostgreSqlLease.DefaultConfigPath}} {
              connection-string = "{{Hocon(connectionString)}}"
              heartbeat-timeout = {{timings.HeartbeatTimeout}}
              heartbeat-interval = {{timings.HeartbeatInterval}}
              lease-operation-timeout = {{timings.OperationTimeout}}
            }
            """).WithFallback(PostgreSqlLease.DefaultConfig());
        var system = ActorSystem.Create($"lease-node-{Guid.NewGuid():N}"[..20], config);
        var logs = new ConcurrentQueue<LogEvent>();
        var collector = system.ActorOf(Props.Create(() => new LogCollector(logs)));
        system.EventStream.Subscribe(collector, typeof(LogEvent));
        owner ??= $"127.0.0.1:{Interlocked.Increment(ref _nextPort)}";
        var lease = (PostgreSqlLease)LeaseProvider.Get(system).GetLease(leaseName, PostgreSqlLease.DefaultConfigPath, owner);
        return new LeaseNode(system, lease, logs);
    }

    /// <summary><see cref="Lease.Acquire(Action{Exception})"/> with a callback that records the loss.</summary>
    public Task<bool> AcquireAsync() => Lease.Acquire(reason =>
    {
        _lost.Enqueue(reason);
        _firstLost.TrySetResult(reason);
    });

    public async ValueTask DisposeAsync() => await System.Terminate();

    public static string Hocon(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private sealed class LogCollector : ReceiveActor
    {
        public LogCollector(ConcurrentQueue<LogEvent> logs) => Receive<LogEvent>(logs.Enqueue);
    }
}

/// <summary>HOCON durations for the lease section.</summary>
public sealed record LeaseTimings(string HeartbeatTimeout, string HeartbeatInterval, string OperationTimeout)
{
    /// <summary>Short enough for a quick suite: a silent holder blocks the others for 3 s.</summary>
    public static readonly LeaseTimings Fast = new("3s", "500ms", "2s");

    /// <summary>A lease that certainly outlives the test unless released or expired by hand.</summary>
    public static readonly LeaseTimings Long = new("60s", "1s", "2s");
}
