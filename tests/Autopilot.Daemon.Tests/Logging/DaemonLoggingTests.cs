using System.Text.Json;
using Akka.Configuration;
using Autopilot.Agents.Configuration;
using Autopilot.Daemon.Logging;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Platforms.Redaction;
using Serilog.Events;

namespace Autopilot.Daemon.Tests.Logging;

public sealed class DaemonLoggingTests
{
    private const string Secret = "planted-secret-value-0123";
    // JSON escaping turns this one into ab\"cd\\ef: redacting only the finished line would miss it.
    private const string QuotedSecret = "quoted\"secret\\value";

    [Fact]
    public void Secrets_in_messages_properties_and_exceptions_are_redacted_in_the_compact_json()
    {
        var redactor = new Redactor();
        redactor.Register(Secret);
        redactor.Register(QuotedSecret);
        var output = new StringWriter();
        using (var logger = DaemonLogging.Create(redactor, json: true, output))
        {
            var log = logger.ForContext("SourceContext", "Autopilot.Tests");
            log.Information("Calling with {Credential} and " + Secret, QuotedSecret);
            log.Error(new InvalidOperationException($"the platform said no to {Secret}", new ArgumentException("inner " + QuotedSecret)),
                "Call failed for {Details}", new { Token = Secret, Nested = new[] { QuotedSecret } });
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, line =>
        {
            Assert.DoesNotContain(Secret, line);
            Assert.DoesNotContain(QuotedSecret, line);
            Assert.DoesNotContain("quoted\\\"secret\\\\value", line);
            Assert.All(Strings(JsonDocument.Parse(line).RootElement), value =>
            {
                Assert.DoesNotContain(Secret, value);
                Assert.DoesNotContain(QuotedSecret, value);
            });
        });

        // CLEF: @t timestamp, @m rendered message, @l level (omitted for Information), @x exception.
        var info = JsonDocument.Parse(lines[0]).RootElement;
        Assert.True(info.TryGetProperty("@t", out _));
        Assert.False(info.TryGetProperty("@l", out _));
        Assert.Contains(Redactor.Mask, info.GetProperty("@m").GetString());
        Assert.Equal(Redactor.Mask, info.GetProperty("Credential").GetString());
        var error = JsonDocument.Parse(lines[1]).RootElement;
        Assert.Equal("Error", error.GetProperty("@l").GetString());
        var exception = error.GetProperty("@x").GetString()!;
        Assert.Contains("InvalidOperationException: the platform said no to " + Redactor.Mask, exception);
        Assert.Contains("inner " + Redactor.Mask, exception);
    }

    [Fact]
    public void The_text_format_redacts_exceptions_too()
    {
        var redactor = new Redactor();
        redactor.Register(Secret);
        var output = new StringWriter();
        using (var logger = DaemonLogging.Create(redactor, json: false, output))
        {
            logger.Warning(new InvalidOperationException("leaked " + Secret), "Something with {Value}", Secret);
        }

        var text = output.ToString();
        Assert.Contains("leaked " + Redactor.Mask, text);
        Assert.DoesNotContain(Secret, text);
    }

    [Fact]
    public void Levels_and_overrides_come_from_hocon()
    {
        var config = ConfigurationFactory.ParseString("""
            autopilot.logging {
              level = Debug
              overrides {
                "Noisy.Component" = Error
                Quiet.Library = Fatal
              }
            }
            """);
        var settings = DaemonLoggingSettings.FromConfig(config);
        Assert.Equal(LogEventLevel.Debug, settings.Level);
        Assert.Equal(LogEventLevel.Error, settings.Overrides["Noisy.Component"]);
        Assert.Equal(LogEventLevel.Fatal, settings.Overrides["Quiet.Library"]);

        var output = new StringWriter();
        using (var logger = DaemonLogging.Create(new Redactor(), json: true, output, settings))
        {
            logger.ForContext("SourceContext", "Noisy.Component.Part").Warning("noisy warning");
            logger.ForContext("SourceContext", "Noisy.Component.Part").Error("noisy error");
            logger.ForContext("SourceContext", "Quiet.Library").Error("quiet error");
            logger.ForContext("SourceContext", "Autopilot.Daemon").Debug("daemon debug");
        }

        var text = output.ToString();
        Assert.DoesNotContain("noisy warning", text);
        Assert.Contains("noisy error", text);
        Assert.DoesNotContain("quiet error", text);
        Assert.Contains("daemon debug", text);
    }

    [Fact]
    public void A_wrong_level_fails_naming_the_key()
    {
        var config = ConfigurationFactory.ParseString("""autopilot.logging.overrides { "Microsoft.AspNetCore" = Loud }""");

        var error = Assert.Throws<SettingException>(() => DaemonLoggingSettings.FromConfig(config));
        Assert.Equal("autopilot.logging.overrides.\"Microsoft.AspNetCore\"", error.Key);
    }

    [Fact]
    public async Task Requests_are_logged_as_compact_json_unless_a_hocon_override_silences_them()
    {
        await using (var daemon = await TestDaemon.StartAsync())
        {
            await daemon.Client.PostAsync($"/webhooks/n8n?token={TestDaemon.RailwaySecret}", new StringContent("{}"));
            string? request = null;

            await Poll.UntilAsync(() => (request = LineWith(daemon, "RequestLoggingMiddleware")) is not null, "the request to be logged");
            var json = JsonDocument.Parse(request).RootElement;
            Assert.Equal("Serilog.AspNetCore.RequestLoggingMiddleware", json.GetProperty("SourceContext").GetString());
            Assert.Equal(401, json.GetProperty("StatusCode").GetInt32());
            Assert.Equal("/webhooks/n8n", json.GetProperty("RequestPath").GetString());
            Assert.StartsWith("HTTP \"POST\" \"/webhooks/n8n\" responded 401 in ", json.GetProperty("@m").GetString());
            Assert.DoesNotContain(TestDaemon.RailwaySecret, daemon.Log.ToString());
        }

        await using (var quiet = await TestDaemon.StartAsync(extraHocon: """autopilot.logging.overrides { "Serilog.AspNetCore" = Warning }"""))
        {
            await quiet.Client.PostAsync("/webhooks/n8n", new StringContent("{}"));
            await quiet.Client.GetAsync("/api/status");
            Assert.DoesNotContain("RequestLoggingMiddleware", quiet.Log.ToString());
        }
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    private static string? LineWith(TestDaemon daemon, string text) =>
        daemon.Log.ToString().Split('\n').FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal));
}
