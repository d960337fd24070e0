using Autopilot.Platforms.Redaction;
using Serilog;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace Autopilot.Daemon.Logging;

/// <summary>
/// The daemon's Serilog pipeline (ASP.NET Core's <c>ILogger</c>s through Serilog.AspNetCore, Akka's log through
/// Akka.Logger.Serilog, request logging): compact JSON (CLEF: <c>@t</c>, <c>@m</c>, <c>@i</c>, <c>@l</c>, <c>@x</c>)
/// when stdout is redirected (a container or systemd collects it), readable text on a terminal, levels from
/// <c>autopilot.logging</c>, and every event passed through the <see cref="RedactingFormatter"/>.
/// </summary>
public static class DaemonLogging
{
    private const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>Builds the logger.</summary>
    /// <param name="redactor">Holds the secrets to mask.</param>
    /// <param name="json">Compact JSON lines (true) or text.</param>
    /// <param name="output">Where lines go; the console when null.</param>
    /// <param name="settings">Levels (<c>autopilot.logging</c>); <see cref="DaemonLoggingSettings.Default"/> when null.</param>
    public static Serilog.Core.Logger Create(Redactor redactor, bool json, TextWriter? output = null, DaemonLoggingSettings? settings = null)
    {
        settings ??= DaemonLoggingSettings.Default;
        ITextFormatter inner = json
            ? new RenderedCompactJsonFormatter()
            : new MessageTemplateTextFormatter(TextTemplate, System.Globalization.CultureInfo.InvariantCulture);
        var formatter = new RedactingFormatter(inner, redactor);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(settings.Level)
            .Enrich.FromLogContext();
        foreach (var (source, level) in settings.Overrides)
        {
            configuration.MinimumLevel.Override(source, level);
        }

        return (output is null
                ? configuration.WriteTo.Console(formatter)
                : configuration.WriteTo.Sink(new TextWriterSink(formatter, output)))
            .CreateLogger();
    }
}
