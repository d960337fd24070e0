using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Autopilot.Daemon.Logging;

/// <summary>Writes formatted events to a <see cref="TextWriter"/> (embedding hosts and tests that capture the log).</summary>
internal sealed class TextWriterSink(ITextFormatter formatter, TextWriter output) : ILogEventSink
{
    private readonly object _gate = new();

    /// <inheritdoc />
    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            formatter.Format(logEvent, output);
            output.Flush();
        }
    }
}
