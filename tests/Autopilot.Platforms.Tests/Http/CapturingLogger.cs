using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Autopilot.Platforms.Tests.Http;

/// <summary>An ILogger that keeps every formatted line (message plus exception text) so tests can search them.</summary>
public sealed class CapturingLogger : ILogger, ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
            : "";
        _lines.Enqueue($"{logLevel}: {formatter(state, exception)} | {structured} | {exception}");
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("CapturingLogger is its own only provider.");

    public void Dispose()
    {
    }
}
