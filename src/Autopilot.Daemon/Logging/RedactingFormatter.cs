using Autopilot.Platforms.Redaction;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;

namespace Autopilot.Daemon.Logging;

/// <summary>
/// Wraps the console formatter (compact JSON or text) so no secret reaches a log line. Two layers: the event is
/// redacted before formatting (the message template's text, every string property however deeply nested, and the
/// exception's message and stack trace, inner exceptions included), so a secret is masked before JSON escaping could
/// hide it; then the finished line is redacted again, which also catches secret shapes spanning several values.
/// </summary>
public sealed class RedactingFormatter(ITextFormatter inner, Redactor redactor) : ITextFormatter
{
    private static readonly MessageTemplateParser Parser = new();

    /// <inheritdoc />
    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        using var buffer = new StringWriter();
        inner.Format(Redact(logEvent), buffer);
        output.Write(redactor.Redact(buffer.ToString()));
    }

    private LogEvent Redact(LogEvent logEvent)
    {
        var templateText = redactor.Redact(logEvent.MessageTemplate.Text);
        var template = templateText == logEvent.MessageTemplate.Text ? logEvent.MessageTemplate : Parser.Parse(templateText);
        var exception = logEvent.Exception is null ? null : new RedactedException(logEvent.Exception, redactor);
        return new LogEvent(logEvent.Timestamp, logEvent.Level, exception, template,
            logEvent.Properties.Select(p => new LogEventProperty(p.Key, Redact(p.Value))), logEvent.TraceId ?? default, logEvent.SpanId ?? default);
    }

    private LogEventPropertyValue Redact(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } => new ScalarValue(redactor.Redact(text)),
        ScalarValue { Value: Uri uri } => new ScalarValue(redactor.Redact(uri.ToString())),
        ScalarValue => value,
        SequenceValue sequence => new SequenceValue(sequence.Elements.Select(Redact)),
        StructureValue structure => new StructureValue(structure.Properties.Select(p => new LogEventProperty(p.Name, Redact(p.Value))), structure.TypeTag),
        DictionaryValue dictionary => new DictionaryValue(dictionary.Elements.Select(e =>
            new KeyValuePair<ScalarValue, LogEventPropertyValue>((ScalarValue)Redact(e.Key), Redact(e.Value)))),
        _ => value,
    };

    /// <summary>Stands in for a logged exception: its type, message and stack trace as text, redacted.</summary>
    private sealed class RedactedException(Exception original, Redactor redactor) : Exception(redactor.Redact(original.Message))
    {
        private readonly string _text = redactor.Redact(original.ToString());

        public override string? StackTrace => null;

        public override string ToString() => _text;
    }
}
