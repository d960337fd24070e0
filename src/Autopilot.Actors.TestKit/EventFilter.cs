using Autopilot.Actors.Event;

namespace Autopilot.Actors.TestKit;

/// <summary>
/// Asserts that running a block publishes certain events on the event stream: errors (with their exception),
/// warnings, dead letters, unhandled messages. Like Akka.NET's <c>EventFilter</c>: a test can prove that a failure
/// was logged, not only that the system survived it.
/// </summary>
public sealed class EventFilter
{
    private readonly TestKit _kit;
    private readonly Predicate<object> _matches;
    private readonly string _description;

    internal EventFilter(TestKit kit, Predicate<object> matches, string description)
    {
        _kit = kit;
        _matches = matches;
        _description = description;
    }

    /// <summary>Runs <paramref name="action"/> and expects exactly one matching event.</summary>
    public void ExpectOne(Action action) => Expect(1, action);

    /// <summary>Runs <paramref name="action"/> and expects exactly <paramref name="count"/> matching events (within the default wait).</summary>
    public void Expect(int count, Action action, TimeSpan? timeout = null) =>
        ExpectAsync(count, () =>
        {
            action();
            return Task.CompletedTask;
        }, timeout).GetAwaiter().GetResult();

    /// <summary>Async form of <see cref="Expect"/>.</summary>
    public async Task ExpectAsync(int count, Func<Task> action, TimeSpan? timeout = null)
    {
        var probe = _kit.CreateTestProbe();
        var stream = _kit.Sys.EventStream;
        stream.Subscribe(probe.Ref, typeof(LogEvent));
        stream.Subscribe(probe.Ref, typeof(DeadLetter));
        stream.Subscribe(probe.Ref, typeof(UnhandledMessage));
        var seen = new List<object>();
        try
        {
            await action().ConfigureAwait(false);
            var deadline = DateTime.UtcNow + (timeout is { } t ? _kit.Settings.Dilated(t) : _kit.RemainingOrDefault);
            var matched = 0;
            while (matched < count && DateTime.UtcNow < deadline)
            {
                var next = probe.ReceiveOne(deadline - DateTime.UtcNow);
                if (next is null)
                {
                    break;
                }

                seen.Add(next);
                matched += _matches(next) ? 1 : 0;
            }

            // Anything already published beyond the expected count is a surplus.
            while (probe.ReceiveOne(TimeSpan.Zero) is { } extra)
            {
                seen.Add(extra);
                matched += _matches(extra) ? 1 : 0;
            }

            if (matched != count)
            {
                throw new TestKitAssertionException(
                    $"EventFilter: expected {count} {_description} but got {matched}. Events seen: [{string.Join("; ", seen)}].");
            }
        }
        finally
        {
            stream.Unsubscribe(probe.Ref);
            _kit.Sys.Stop(probe.Ref);
        }
    }
}

/// <summary>Builds <see cref="EventFilter"/>s: <c>EventFilter.Exception&lt;T&gt;().ExpectOne(() => …)</c>.</summary>
public sealed class EventFilterFactory
{
    private readonly TestKit _kit;

    internal EventFilterFactory(TestKit kit)
    {
        _kit = kit;
    }

    /// <summary>An error event caused by an exception of type <typeparamref name="T"/> (message containing <paramref name="contains"/>).</summary>
    public EventFilter Exception<T>(string? contains = null, string? source = null)
        where T : Exception =>
        new(_kit, e => e is Error { Cause: T cause } error && Matches(cause.Message, contains) && Source(error, source), $"Error event(s) with {typeof(T).Name}{Hint(contains)}");

    /// <summary>An error event whose message contains <paramref name="contains"/>.</summary>
    public EventFilter Error(string? contains = null, string? source = null) =>
        new(_kit, e => e is Error error && Matches(error.Message.ToString(), contains) && Source(error, source), $"Error event(s){Hint(contains)}");

    /// <summary>A warning whose message contains <paramref name="contains"/>.</summary>
    public EventFilter Warning(string? contains = null, string? source = null) =>
        new(_kit, e => e is Warning warning && Matches(warning.Message.ToString(), contains) && Source(warning, source), $"Warning event(s){Hint(contains)}");

    /// <summary>An info event whose message contains <paramref name="contains"/>.</summary>
    public EventFilter Info(string? contains = null, string? source = null) =>
        new(_kit, e => e is Info info && Matches(info.Message.ToString(), contains) && Source(info, source), $"Info event(s){Hint(contains)}");

    /// <summary>A dead letter carrying a message of type <typeparamref name="T"/>.</summary>
    public EventFilter DeadLetter<T>() =>
        new(_kit, e => e is DeadLetter { Message: T }, $"dead letter(s) of {typeof(T).Name}");

    /// <summary>An unhandled message of type <typeparamref name="T"/>.</summary>
    public EventFilter Unhandled<T>() =>
        new(_kit, e => e is UnhandledMessage { Message: T }, $"unhandled message(s) of {typeof(T).Name}");

    private static bool Matches(string? text, string? contains) => contains is null || (text?.Contains(contains, StringComparison.Ordinal) ?? false);

    private static bool Source(LogEvent logEvent, string? source) => source is null || logEvent.LogSource == source;

    private static string Hint(string? contains) => contains is null ? "" : $" containing \"{contains}\"";
}
