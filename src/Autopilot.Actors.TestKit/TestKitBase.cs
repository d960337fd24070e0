using System.Collections.Concurrent;
using System.Diagnostics;

namespace Autopilot.Actors.TestKit;

/// <summary>
/// The expectations shared by <see cref="TestKit"/> (on its <c>TestActor</c>) and <see cref="TestProbe"/>, in the
/// manner of Akka.NET's TestKit. Every wait is in real time, scaled by <see cref="TestKitSettings.TimeFactor"/>, and
/// bounded by the innermost <see cref="Within(TimeSpan, Action)"/> block. A failed expectation says what was
/// expected, what arrived (and from whom), and after how long.
/// </summary>
public abstract class TestKitBase
{
    private readonly BlockingCollection<Envelope> _queue = new();
    private IActorRef? _probeRef;
    private DateTime? _end;
    private Envelope _last;

    /// <summary>Binds the expectations to a system; <see cref="InitializeProbe"/> creates the receiving actor.</summary>
    protected TestKitBase(TestKitSettings settings)
    {
        Settings = settings;
    }

    /// <summary>The system under test.</summary>
    public abstract ActorSystem Sys { get; }

    /// <summary>Timing settings.</summary>
    public TestKitSettings Settings { get; }

    /// <summary>The reference that receives what the expectations inspect.</summary>
    protected IActorRef ProbeRef => _probeRef ?? throw new InvalidOperationException("The probe is not initialized.");

    /// <summary>Sender of the last message received by an expectation.</summary>
    public IActorRef LastSender => _last.Sender ?? ActorRefs.NoSender;

    /// <summary>Time left in the current <c>Within</c> block, or the default expectation time outside one.</summary>
    public TimeSpan RemainingOrDefault => _end is { } end ? Max(end - DateTime.UtcNow, TimeSpan.Zero) : Settings.Dilated(Settings.SingleExpectDefault);

    /// <summary>Creates the probe's actor under <c>/system</c>.</summary>
    protected void InitializeProbe(string name) =>
        _probeRef = Sys.SystemActorOf(Props.Create(() => new ProbeActor(_queue)), name);

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> with this probe as sender.</summary>
    public void Send(IActorRef target, object message) => target.Tell(message, ProbeRef);

    /// <summary>Replies to <see cref="LastSender"/>.</summary>
    public void Reply(object message) => LastSender.Tell(message, ProbeRef);

    /// <summary>Forwards the last received message to <paramref name="target"/>, keeping its original sender.</summary>
    public void Forward(IActorRef target) => target.Tell(_last.Message ?? throw new InvalidOperationException("No message was received yet."), LastSender);

    /// <summary>Watches <paramref name="actor"/>: its <see cref="Terminated"/> arrives here.</summary>
    public IActorRef Watch(IActorRef actor)
    {
        ProbeRef.Tell(new ProbeActor.WatchTarget(actor), ActorRefs.NoSender);
        return actor;
    }

    /// <summary>Stops watching <paramref name="actor"/>.</summary>
    public IActorRef Unwatch(IActorRef actor)
    {
        ProbeRef.Tell(new ProbeActor.UnwatchTarget(actor), ActorRefs.NoSender);
        return actor;
    }

    /// <summary>Expects a message of type <typeparamref name="T"/> next.</summary>
    public T ExpectMsg<T>(TimeSpan? duration = null, string? hint = null) => ExpectMsg<T>(static _ => true, duration, hint);

    /// <summary>Expects a message equal to <paramref name="expected"/> next.</summary>
    public T ExpectMsg<T>(T expected, TimeSpan? duration = null, string? hint = null)
        where T : notnull =>
        ExpectMsg<T>(m => Equals(m, expected), duration, hint ?? $"equal to {expected}");

    /// <summary>Expects a message of type <typeparamref name="T"/> that satisfies <paramref name="predicate"/> next.</summary>
    public T ExpectMsg<T>(Predicate<T> predicate, TimeSpan? duration = null, string? hint = null)
    {
        var wait = Wait(duration);
        var started = Stopwatch.StartNew();
        var what = $"a message of type {typeof(T).Name}{(hint is null ? "" : $" ({hint})")}";
        if (!TryReceive(wait, out var envelope))
        {
            throw new TestKitAssertionException($"ExpectMsg: timeout ({Describe(wait)}) while waiting for {what}; nothing arrived.");
        }

        if (envelope.Message is T typed && predicate(typed))
        {
            return typed;
        }

        throw new TestKitAssertionException($"ExpectMsg: expected {what} but received {Describe(envelope)} after {Describe(started.Elapsed)}.");
    }

    /// <summary>Asserts that nothing arrives for <paramref name="duration"/> (default: the no-message window).</summary>
    public void ExpectNoMsg(TimeSpan? duration = null)
    {
        var wait = duration is { } d ? Settings.Dilated(d) : Settings.Dilated(Settings.ExpectNoMessageDefault);
        if (_end is { } end)
        {
            wait = Min(wait, Max(end - DateTime.UtcNow, TimeSpan.Zero));
        }

        var started = Stopwatch.StartNew();
        if (TryReceive(wait, out var envelope))
        {
            throw new TestKitAssertionException($"ExpectNoMsg: expected no message for {Describe(wait)} but received {Describe(envelope)} after {Describe(started.Elapsed)}.");
        }
    }

    /// <summary>Expects all of <paramref name="messages"/> (by equality), in any order, and nothing else in between.</summary>
    public IReadOnlyList<object> ExpectMsgAllOf(params object[] messages) => ExpectMsgAllOf(null, messages);

    /// <summary>Like <see cref="ExpectMsgAllOf(object[])"/> within <paramref name="duration"/>.</summary>
    public IReadOnlyList<object> ExpectMsgAllOf(TimeSpan? duration, params object[] messages)
    {
        var deadline = DateTime.UtcNow + Wait(duration);
        var missing = messages.ToList();
        var received = new List<object>();
        while (missing.Count > 0)
        {
            if (!TryReceive(Max(deadline - DateTime.UtcNow, TimeSpan.Zero), out var envelope))
            {
                throw new TestKitAssertionException($"ExpectMsgAllOf: still missing [{string.Join(", ", missing)}]; received [{string.Join(", ", received)}] before the timeout.");
            }

            var index = missing.FindIndex(m => Equals(m, envelope.Message));
            if (index < 0)
            {
                throw new TestKitAssertionException($"ExpectMsgAllOf: received unexpected {Describe(envelope)} while waiting for [{string.Join(", ", missing)}].");
            }

            missing.RemoveAt(index);
            received.Add(envelope.Message);
        }

        return received;
    }

    /// <summary>Expects the <see cref="Terminated"/> of <paramref name="target"/> (which must be watched).</summary>
    public Terminated ExpectTerminated(IActorRef target, TimeSpan? duration = null) =>
        ExpectMsg<Terminated>(t => t.ActorRef.Equals(target), duration, $"Terminated of {target.Path}");

    /// <summary>Skips messages until one satisfies <paramref name="isMessage"/>, and returns it.</summary>
    public object FishForMessage(Predicate<object> isMessage, TimeSpan? max = null, string? hint = null)
    {
        var deadline = DateTime.UtcNow + Wait(max);
        var skipped = new List<string>();
        while (TryReceive(Max(deadline - DateTime.UtcNow, TimeSpan.Zero), out var envelope))
        {
            if (isMessage(envelope.Message))
            {
                return envelope.Message;
            }

            skipped.Add(Describe(envelope));
        }

        throw new TestKitAssertionException($"FishForMessage: no message matched{(hint is null ? "" : $" ({hint})")} before the timeout; skipped [{string.Join(", ", skipped)}].");
    }

    /// <summary>Skips messages until one of type <typeparamref name="T"/> satisfies <paramref name="isMessage"/>.</summary>
    public T FishForMessage<T>(Predicate<T>? isMessage = null, TimeSpan? max = null) =>
        (T)FishForMessage(m => m is T t && (isMessage is null || isMessage(t)), max, $"type {typeof(T).Name}");

    /// <summary>Receives exactly <paramref name="count"/> messages, whatever they are.</summary>
    public IReadOnlyList<object> ReceiveN(int count, TimeSpan? max = null)
    {
        var deadline = DateTime.UtcNow + Wait(max);
        var received = new List<object>(count);
        while (received.Count < count)
        {
            if (!TryReceive(Max(deadline - DateTime.UtcNow, TimeSpan.Zero), out var envelope))
            {
                throw new TestKitAssertionException($"ReceiveN: expected {count} messages but received {received.Count} before the timeout: [{string.Join(", ", received)}].");
            }

            received.Add(envelope.Message);
        }

        return received;
    }

    /// <summary>Receives the next message, or null if none arrives in time.</summary>
    public object? ReceiveOne(TimeSpan? max = null) => TryReceive(Wait(max), out var envelope) ? envelope.Message : null;

    /// <summary>Runs <paramref name="action"/> with every expectation inside bounded by <paramref name="max"/>, and asserts it finished in time.</summary>
    public void Within(TimeSpan max, Action action) => Within(TimeSpan.Zero, max, action);

    /// <summary>Like <see cref="Within(TimeSpan, Action)"/>, also asserting it took at least <paramref name="min"/>.</summary>
    public void Within(TimeSpan min, TimeSpan max, Action action) => Within(min, max, () =>
    {
        action();
        return true;
    });

    /// <summary>Like <see cref="Within(TimeSpan, Action)"/> for a block with a result.</summary>
    public T Within<T>(TimeSpan min, TimeSpan max, Func<T> block)
    {
        var dilated = Settings.Dilated(max);
        var started = Stopwatch.StartNew();
        var outer = _end;
        var end = DateTime.UtcNow + dilated;
        _end = outer is { } o && o < end ? o : end;
        try
        {
            var result = block();
            var elapsed = started.Elapsed;
            if (elapsed < min)
            {
                throw new TestKitAssertionException($"Within: the block took {Describe(elapsed)}, less than the minimum {Describe(min)}.");
            }

            if (elapsed > dilated)
            {
                throw new TestKitAssertionException($"Within: the block took {Describe(elapsed)}, more than the maximum {Describe(dilated)}.");
            }

            return result;
        }
        finally
        {
            _end = outer;
        }
    }

    /// <summary>Retries <paramref name="assertion"/> until it passes or time runs out (then its last failure is rethrown).</summary>
    public void AwaitAssert(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + Wait(duration);
        var pause = interval ?? TimeSpan.FromMilliseconds(20);
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(pause);
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public void AwaitCondition(Func<bool> condition, TimeSpan? max = null, TimeSpan? interval = null, string? message = null)
    {
        var wait = Wait(max);
        var deadline = DateTime.UtcNow + wait;
        var pause = interval ?? TimeSpan.FromMilliseconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TestKitAssertionException($"AwaitCondition: {message ?? "the condition"} did not hold within {Describe(wait)}.");
            }

            Thread.Sleep(pause);
        }
    }

    /// <summary>Async form of <see cref="ExpectMsg{T}(Predicate{T}, TimeSpan?, string?)"/>, for async tests.</summary>
    public Task<T> ExpectMsgAsync<T>(Predicate<T>? predicate = null, TimeSpan? duration = null) =>
        Task.Run(() => ExpectMsg(predicate ?? (static _ => true), duration));

    private bool TryReceive(TimeSpan wait, out Envelope envelope)
    {
        if (_queue.TryTake(out envelope, wait))
        {
            _last = envelope;
            return true;
        }

        return false;
    }

    private TimeSpan Wait(TimeSpan? duration)
    {
        var wait = duration is { } d ? Settings.Dilated(d) : Settings.Dilated(Settings.SingleExpectDefault);
        return _end is { } end ? Min(wait, Max(end - DateTime.UtcNow, TimeSpan.Zero)) : wait;
    }

    private static string Describe(Envelope envelope) =>
        $"{envelope.Message.GetType().Name} {{ {envelope.Message} }} from {(envelope.Sender is null ? "no sender" : envelope.Sender.Path.ToString())}";

    private static string Describe(TimeSpan duration) =>
        duration.TotalSeconds >= 1 ? $"{duration.TotalSeconds:0.###} s" : $"{duration.TotalMilliseconds:0} ms";

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
