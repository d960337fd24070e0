using Autopilot.Platforms.Redaction;
using Serilog.Events;
using Serilog.Formatting;

namespace Autopilot.Daemon.Logging;

/// <summary>
/// Formats a log event with an inner formatter, then masks every registered secret and secret-shaped value in the
/// finished line. Redacting the rendered text (rather than individual properties) also catches secrets inside
/// exception messages and stack traces.
/// </summary>
public sealed class RedactingFormatter(ITextFormatter inner, Redactor redactor) : ITextFormatter
{
    /// <inheritdoc />
    public void Format(LogEvent logEvent, TextWriter output)
    {
        using var buffer = new StringWriter();
        inner.Format(logEvent, buffer);
        output.Write(redactor.Redact(buffer.ToString()));
    }
}
