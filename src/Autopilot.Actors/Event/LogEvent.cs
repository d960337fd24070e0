namespace Autopilot.Actors.Event;

/// <summary>Severity of a log event, matching Akka.NET's levels.</summary>
public enum LogLevel
{
    /// <summary>Diagnostic detail.</summary>
    Debug,

    /// <summary>Normal operation.</summary>
    Info,

    /// <summary>Something unexpected that the system handled.</summary>
    Warning,

    /// <summary>A failure.</summary>
    Error,

    /// <summary>Nothing is logged.</summary>
    Off,
}

/// <summary>
/// A log entry published on the event stream. Going through the stream (not straight to a logger) is what lets the
/// TestKit's <c>EventFilter</c> see and assert on them, as in Akka.NET.
/// </summary>
public abstract record LogEvent(LogLevel Level, string LogSource, Type LogClass, object Message, Exception? Cause)
{
    /// <summary>When it was logged.</summary>
    public DateTimeOffset Timestamp { get; init; } = DateTimeOffset.UtcNow;

    /// <inheritdoc />
    public sealed override string ToString() => $"[{Level}] [{LogSource}] {Message}{(Cause is null ? "" : $" ({Cause.GetType().Name}: {Cause.Message})")}";
}

/// <summary>An error, usually with the exception that caused it.</summary>
public sealed record Error(Exception? Cause, string LogSource, Type LogClass, object Message) : LogEvent(LogLevel.Error, LogSource, LogClass, Message, Cause);

/// <summary>A warning.</summary>
public sealed record Warning(string LogSource, Type LogClass, object Message, Exception? Cause = null) : LogEvent(LogLevel.Warning, LogSource, LogClass, Message, Cause);

/// <summary>Information.</summary>
public sealed record Info(string LogSource, Type LogClass, object Message) : LogEvent(LogLevel.Info, LogSource, LogClass, Message, null);

/// <summary>Debug detail.</summary>
public sealed record Debug(string LogSource, Type LogClass, object Message) : LogEvent(LogLevel.Debug, LogSource, LogClass, Message, null);
