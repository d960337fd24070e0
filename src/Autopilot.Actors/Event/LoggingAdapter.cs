namespace Autopilot.Actors.Event;

/// <summary>What actors log through: <c>Context.GetLogger()</c>.</summary>
public interface ILoggingAdapter
{
    /// <summary>Whether events of <paramref name="level"/> are published.</summary>
    bool IsEnabled(LogLevel level);

    /// <summary>Logs at debug level.</summary>
    void Debug(string message);

    /// <summary>Logs at info level.</summary>
    void Info(string message);

    /// <summary>Logs a warning.</summary>
    void Warning(string message, Exception? cause = null);

    /// <summary>Logs an error.</summary>
    void Error(Exception? cause, string message);
}

/// <summary>Publishes log events for one source on the event stream, filtered by the configured level.</summary>
public sealed class LoggingAdapter(EventStream stream, string logSource, Type logClass, LogLevel minimum) : ILoggingAdapter
{
    /// <inheritdoc />
    public bool IsEnabled(LogLevel level) => level >= minimum && level != LogLevel.Off;

    /// <inheritdoc />
    public void Debug(string message)
    {
        if (IsEnabled(LogLevel.Debug))
        {
            stream.Publish(new Debug(logSource, logClass, message));
        }
    }

    /// <inheritdoc />
    public void Info(string message)
    {
        if (IsEnabled(LogLevel.Info))
        {
            stream.Publish(new Info(logSource, logClass, message));
        }
    }

    /// <inheritdoc />
    public void Warning(string message, Exception? cause = null)
    {
        if (IsEnabled(LogLevel.Warning))
        {
            stream.Publish(new Warning(logSource, logClass, message, cause));
        }
    }

    /// <inheritdoc />
    public void Error(Exception? cause, string message)
    {
        if (IsEnabled(LogLevel.Error))
        {
            stream.Publish(new Error(cause, logSource, logClass, message));
        }
    }
}
