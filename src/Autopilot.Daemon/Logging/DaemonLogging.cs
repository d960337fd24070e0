using Autopilot.Platforms.Redaction;
using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;

namespace Autopilot.Daemon.Logging;

/// <summary>
/// The daemon's Serilog pipeline: JSON lines when stdout is redirected (a container or systemd collects them), readable
/// text on a terminal, and every line passed through the <see cref="Redactor"/> first.
/// </summary>
public static class DaemonLogging
{
    private const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>Builds the logger.</summary>
    /// <param name="redactor">Holds the secrets to mask.</param>
    /// <param name="json">JSON lines (true) or text.</param>
    /// <param name="output">Where lines go; the console when null.</param>
    public static Serilog.Core.Logger Create(Redactor redactor, bool json, TextWriter? output = null)
    {
        ITextFormatter inner = json
            ? new JsonFormatter(renderMessage: true)
            : new MessageTemplateTextFormatter(TextTemplate, System.Globalization.CultureInfo.InvariantCulture);
        var formatter = new RedactingFormatter(inner, redactor);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext();
        return (output is null
                ? configuration.WriteTo.Console(formatter)
                : configuration.WriteTo.Sink(new TextWriterSink(formatter, output)))
            .CreateLogger();
    }
}
