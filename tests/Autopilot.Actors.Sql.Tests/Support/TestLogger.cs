using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Autopilot.Actors.Sql.Tests.Support;

/// <summary>Records log lines so tests can check what was logged (and that no secret was).</summary>
public sealed class TestLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => _entries.ToArray();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));
}
