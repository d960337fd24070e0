using Autopilot.Actors.Configuration;
using Autopilot.Actors.Event;

namespace Autopilot.Actors;

/// <summary>
/// A hierarchy of actors with shared configuration, scheduler and event stream. Top-level actors live under
/// <c>/user</c>; the system's own under <c>/system</c>.
/// </summary>
public abstract class ActorSystem : IActorRefFactory, IAsyncDisposable
{
    /// <summary>Creates an actor system.</summary>
    /// <param name="name">The system's name: the authority of its paths, a valid actor name.</param>
    /// <param name="config">Configuration; the embedded <c>reference.conf</c> supplies whatever it leaves out.</param>
    /// <param name="setup">Clock and logger factory; defaults to the system clock and the console.</param>
    /// <exception cref="ConfigurationException">A runtime setting is invalid (the message names the key).</exception>
    public static ActorSystem Create(string name, Config? config = null, ActorSystemSetup? setup = null) =>
        new ActorSystemImpl(name, ActorSystemSettings.FromConfig(config ?? Config.Empty), setup ?? new ActorSystemSetup());

    /// <summary>The system's name, the authority of its actor paths.</summary>
    public abstract string Name { get; }

    /// <summary>The runtime settings in force.</summary>
    public abstract ActorSystemSettings Settings { get; }

    /// <summary>The publish/subscribe bus.</summary>
    public abstract EventStream EventStream { get; }

    /// <summary>The scheduler every timer and timeout goes through.</summary>
    public abstract IScheduler Scheduler { get; }

    /// <summary>Where undeliverable messages go (published as <see cref="DeadLetter"/>).</summary>
    public abstract IActorRef DeadLetters { get; }

    /// <summary>A logger for code outside actors.</summary>
    public abstract ILoggingAdapter Log { get; }

    /// <summary>Completes when the system has terminated.</summary>
    public abstract Task WhenTerminated { get; }

    /// <summary>Creates a top-level actor under <c>/user</c>.</summary>
    public abstract IActorRef ActorOf(Props props, string? name = null);

    /// <summary>
    /// Creates an actor under <c>/system</c>: for infrastructure (loggers, probes, cluster services) that must outlive
    /// the application's actors during shutdown.
    /// </summary>
    public abstract IActorRef SystemActorOf(Props props, string? name = null);

    /// <summary>
    /// Registers a system-wide service (persistence, cluster) that actors find through <see cref="GetExtension{T}"/>,
    /// so such services hang off the system instead of static state.
    /// </summary>
    /// <exception cref="InvalidOperationException">An extension of that type is already registered.</exception>
    public abstract T RegisterExtension<T>(T extension)
        where T : class;

    /// <summary>The registered extension of type <typeparamref name="T"/>, or null.</summary>
    public abstract T? GetExtension<T>()
        where T : class;

    /// <summary>Stops an actor.</summary>
    public abstract void Stop(IActorRef actor);

    /// <summary>Runs coordinated shutdown (every phase) and completes when the system has terminated.</summary>
    public Task Terminate() => CoordinatedShutdown.Get(this).Run(CoordinatedShutdown.ActorSystemTerminateReason.Instance);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Terminate().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }
}
