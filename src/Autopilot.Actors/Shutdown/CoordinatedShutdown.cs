using Autopilot.Actors.Event;

namespace Autopilot.Actors;

/// <summary>
/// Stops the process in an order that loses nothing: stop taking requests, finish or record in-flight work, leave
/// the cluster, flush, then terminate the actor system. Components register tasks in a phase; <see cref="Run"/>
/// runs the phases in dependency order, each phase's tasks together, each phase bounded by its timeout.
/// Idempotent: every caller of <see cref="Run"/> gets the same task.
/// </summary>
public sealed class CoordinatedShutdown
{
    /// <summary>Phase names, in their default order.</summary>
    public const string PhaseBeforeServiceUnbind = "before-service-unbind";

    /// <summary>Stop accepting new requests (HTTP intake).</summary>
    public const string PhaseServiceUnbind = "service-unbind";

    /// <summary>Wait for in-flight requests.</summary>
    public const string PhaseServiceRequestsDone = "service-requests-done";

    /// <summary>Stop services (workers finish or record in-flight actions).</summary>
    public const string PhaseServiceStop = "service-stop";

    /// <summary>Before leaving the cluster.</summary>
    public const string PhaseBeforeClusterShutdown = "before-cluster-shutdown";

    /// <summary>Hand over the singleton lease and leave.</summary>
    public const string PhaseClusterLeave = "cluster-leave";

    /// <summary>Cluster membership is gone.</summary>
    public const string PhaseClusterShutdown = "cluster-shutdown";

    /// <summary>Last chance before the actors stop (flush the journal).</summary>
    public const string PhaseBeforeActorSystemTerminate = "before-actor-system-terminate";

    /// <summary>The actor system terminates.</summary>
    public const string PhaseActorSystemTerminate = "actor-system-terminate";

    private readonly ActorSystemImpl _system;
    private readonly IReadOnlyList<ShutdownPhase> _ordered;
    private readonly Dictionary<string, List<(string Name, Func<Task> Task)>> _tasks = new();
    private readonly object _lock = new();
    private Task? _run;

    internal CoordinatedShutdown(ActorSystemImpl system, CoordinatedShutdownSettings settings)
    {
        _system = system;
        _ordered = Order(settings.Phases);
        AddTask(PhaseActorSystemTerminate, "terminate-actor-system", system.FinalTerminate);
    }

    /// <summary>The shutdown of <paramref name="system"/>.</summary>
    public static CoordinatedShutdown Get(ActorSystem system) => ((ActorSystemImpl)system).CoordinatedShutdown;

    /// <summary>Why shutdown was started, once it was.</summary>
    public Reason? ShutdownReason { get; private set; }

    /// <summary>The phases in the order they run.</summary>
    public IReadOnlyList<string> PhaseOrder => _ordered.Select(p => p.Name).ToArray();

    /// <summary>Registers a task to run in <paramref name="phase"/>.</summary>
    /// <exception cref="ArgumentException">No such phase.</exception>
    /// <exception cref="InvalidOperationException">Shutdown already started.</exception>
    public void AddTask(string phase, string taskName, Func<Task> task)
    {
        if (_ordered.All(p => p.Name != phase))
        {
            throw new ArgumentException($"Unknown coordinated-shutdown phase '{phase}'. Known: {string.Join(", ", PhaseOrder)}.", nameof(phase));
        }

        lock (_lock)
        {
            if (_run is not null)
            {
                throw new InvalidOperationException($"Cannot add task '{taskName}': coordinated shutdown is already running.");
            }

            if (!_tasks.TryGetValue(phase, out var list))
            {
                _tasks[phase] = list = [];
            }

            list.Add((taskName, task));
        }
    }

    /// <summary>Runs every phase (once, whoever calls first) and completes when the actor system has terminated.</summary>
    public Task Run(Reason reason)
    {
        lock (_lock)
        {
            if (_run is null)
            {
                ShutdownReason = reason;
                _run = Task.Run(RunPhases);
            }

            return _run;
        }
    }

    private async Task RunPhases()
    {
        var skipToEnd = false;
        foreach (var phase in _ordered)
        {
            if (skipToEnd && phase.Name != PhaseActorSystemTerminate)
            {
                continue;
            }

            List<(string Name, Func<Task> Task)> tasks;
            lock (_lock)
            {
                tasks = _tasks.TryGetValue(phase.Name, out var list) ? [.. list] : [];
            }

            if (tasks.Count == 0)
            {
                continue;
            }

            var running = Task.WhenAll(tasks.Select(t => RunTask(phase, t.Name, t.Task)));
            var timeout = Task.Delay(phase.Timeout, _system.Scheduler.TimeProvider);
            if (await Task.WhenAny(running, timeout).ConfigureAwait(false) == timeout)
            {
                _system.EventStream.Publish(new Warning(nameof(CoordinatedShutdown), typeof(CoordinatedShutdown), $"Coordinated shutdown phase [{phase.Name}] timed out after {phase.Timeout}."));
                skipToEnd |= !phase.Recover;
            }
            else if (running.IsFaulted)
            {
                skipToEnd |= !phase.Recover;
            }
        }

        await _system.WhenTerminated.ConfigureAwait(false);
    }

    private async Task RunTask(ShutdownPhase phase, string name, Func<Task> task)
    {
        try
        {
            await task().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _system.EventStream.Publish(new Error(exception, nameof(CoordinatedShutdown), typeof(CoordinatedShutdown), $"Task [{name}] of phase [{phase.Name}] failed: {exception.Message}"));
            throw;
        }
    }

    private static IReadOnlyList<ShutdownPhase> Order(IReadOnlyList<ShutdownPhase> phases)
    {
        var byName = phases.ToDictionary(p => p.Name);
        var ordered = new List<ShutdownPhase>();
        var state = new Dictionary<string, bool>(); // false: visiting, true: done
        foreach (var phase in phases.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            Visit(phase);
        }

        if (!byName.ContainsKey(PhaseActorSystemTerminate))
        {
            throw new ArgumentException($"Coordinated shutdown needs the phase '{PhaseActorSystemTerminate}'.");
        }

        return ordered;

        void Visit(ShutdownPhase phase)
        {
            if (state.TryGetValue(phase.Name, out var done))
            {
                if (!done)
                {
                    throw new ArgumentException($"Coordinated shutdown phases form a cycle through '{phase.Name}'.");
                }

                return;
            }

            state[phase.Name] = false;
            foreach (var dependency in phase.DependsOn)
            {
                if (!byName.TryGetValue(dependency, out var before))
                {
                    throw new ArgumentException($"Coordinated shutdown phase '{phase.Name}' depends on unknown phase '{dependency}'.");
                }

                Visit(before);
            }

            state[phase.Name] = true;
            ordered.Add(phase);
        }
    }

    /// <summary>Why shutdown started.</summary>
    public abstract class Reason
    {
        /// <inheritdoc />
        public override string ToString() => GetType().Name;
    }

    /// <summary><c>ActorSystem.Terminate()</c> was called.</summary>
    public sealed class ActorSystemTerminateReason : Reason
    {
        /// <summary>The only instance.</summary>
        public static ActorSystemTerminateReason Instance { get; } = new();
    }

    /// <summary>The host is stopping (SIGTERM, Ctrl+C, <c>IHostApplicationLifetime.StopApplication</c>).</summary>
    public sealed class HostStoppingReason : Reason
    {
        /// <summary>The only instance.</summary>
        public static HostStoppingReason Instance { get; } = new();
    }

    /// <summary>The node left the cluster (graceful leave, or it was downed).</summary>
    public sealed class ClusterLeavingReason : Reason
    {
        /// <summary>The only instance.</summary>
        public static ClusterLeavingReason Instance { get; } = new();
    }
}
