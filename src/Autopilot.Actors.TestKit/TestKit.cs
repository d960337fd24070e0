using Autopilot.Actors.Configuration;
using Autopilot.Actors.Event;
using Xunit.Abstractions;

namespace Autopilot.Actors.TestKit;

/// <summary>
/// Base class for actor tests (xunit): a fresh actor system per test, a <see cref="TestActor"/> to receive replies,
/// probes, an <see cref="EventFilter"/>, and optionally virtual time (<see cref="Time"/>). The system is shut down
/// when the test is disposed.
/// </summary>
public abstract class TestKit : TestKitBase, IDisposable
{
    private readonly ActorSystem _system;
    private readonly VirtualTimeProvider? _time;
    private int _probes;

    /// <summary>A test with its own actor system.</summary>
    /// <param name="config">HOCON overriding the runtime defaults (e.g. <c>autopilot.actor.ask-timeout = 1s</c>).</param>
    /// <param name="output">xunit's output: log events of the system are written there.</param>
    /// <param name="virtualTime">Run the system's clock on <see cref="VirtualTimeProvider"/>, advanced by the test.</param>
    protected TestKit(string? config = null, ITestOutputHelper? output = null, bool virtualTime = false)
        : this(config is null ? Config.Empty : ConfigurationFactory.ParseString(config, "test config"), output, virtualTime)
    {
    }

    /// <summary>A test with its own actor system, configured by <paramref name="config"/>.</summary>
    protected TestKit(Config config, ITestOutputHelper? output = null, bool virtualTime = false)
        : base(TestKitSettings.Default)
    {
        _time = virtualTime ? new VirtualTimeProvider() : null;
        var quiet = ConfigurationFactory.ParseString("autopilot.stdout-loglevel = OFF", "TestKit defaults");
        _system = ActorSystem.Create("test", config.WithFallback(quiet), new ActorSystemSetup(TimeProvider: _time));
        InitializeProbe("testActor");
        EventFilter = new EventFilterFactory(this);
        if (output is not null)
        {
            var sink = _system.SystemActorOf(Props.Create(() => new TestOutputLogger(output)), "test-output");
            _system.EventStream.Subscribe(sink, typeof(LogEvent));
        }
    }

    /// <inheritdoc />
    public override ActorSystem Sys => _system;

    /// <summary>The default recipient and sender of a test.</summary>
    public IActorRef TestActor => ProbeRef;

    /// <summary>The virtual clock (only when the TestKit was created with <c>virtualTime: true</c>).</summary>
    public VirtualTimeProvider Time => _time ?? throw new InvalidOperationException("This TestKit runs on real time: pass virtualTime: true to use Time.");

    /// <summary>Builds event-stream assertions.</summary>
    public EventFilterFactory EventFilter { get; }

    /// <summary>Creates a probe in this test's system.</summary>
    public TestProbe CreateTestProbe(string? name = null) =>
        new(_system, Settings, name ?? $"testProbe{Interlocked.Increment(ref _probes)}");

    /// <summary>Creates a top-level actor.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => _system.ActorOf(props, name);

    /// <summary>Terminates the system (bounded wait, so a stuck shutdown fails the test instead of hanging it).</summary>
    protected virtual void Shutdown()
    {
        var terminated = _system.Terminate();
        if (_time is not null)
        {
            _time.Advance(TimeSpan.FromMinutes(1)); // let shutdown-phase timeouts elapse if a task is stuck
        }

        if (!terminated.Wait(Settings.Dilated(TimeSpan.FromSeconds(10))))
        {
            throw new TestKitAssertionException("The actor system did not terminate within 10 s.");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Shutdown();
        GC.SuppressFinalize(this);
    }

    private sealed class TestOutputLogger(ITestOutputHelper output) : ActorBase
    {
        protected override bool Receive(object message)
        {
            if (message is LogEvent logEvent)
            {
                try
                {
                    output.WriteLine(logEvent.ToString());
                }
                catch (InvalidOperationException)
                {
                    // The test already finished: xunit no longer accepts output.
                }
            }

            return true;
        }
    }
}
