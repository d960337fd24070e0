using Autopilot.Actors.Configuration;
using Autopilot.Actors.Dispatch;
using Autopilot.Actors.Event;

namespace Autopilot.Actors;

/// <summary>
/// The runtime's settings, read from the <c>autopilot.actor</c> section of the configuration (defaults in the
/// embedded <c>reference.conf</c>).
/// </summary>
/// <param name="Throughput">Messages an actor processes per turn on a thread before yielding it.</param>
/// <param name="AskTimeout">Default <c>Ask</c> timeout. Finite on purpose: an infinite default hides lost replies.</param>
/// <param name="DefaultMailbox">Mailbox for actors whose props name none.</param>
/// <param name="LogLevel">Minimum level published on the event stream.</param>
/// <param name="StdoutLogLevel">Minimum level written to the console when no logger factory is given.</param>
/// <param name="GuardianStrategy">How <c>/user</c> supervises top-level actors.</param>
/// <param name="Shutdown">Coordinated-shutdown phases and timeouts.</param>
public sealed record ActorSystemSettings(
    int Throughput,
    TimeSpan AskTimeout,
    MailboxSettings DefaultMailbox,
    LogLevel LogLevel,
    LogLevel StdoutLogLevel,
    SupervisorStrategy GuardianStrategy,
    CoordinatedShutdownSettings Shutdown)
{
    /// <summary>The runtime's defaults: the <c>reference.conf</c> embedded in this assembly.</summary>
    public static Config Reference { get; } = ConfigurationFactory.FromResource(typeof(ActorSystemSettings).Assembly, "Autopilot.Actors.reference.conf");

    /// <summary>
    /// Reads the settings from <paramref name="config"/> with <see cref="Reference"/> as fallback. A bad value throws a
    /// <see cref="ConfigurationException"/> naming the key and where it was set.
    /// </summary>
    public static ActorSystemSettings FromConfig(Config config)
    {
        var c = config.WithFallback(Reference);
        var mailbox = c.GetConfig("autopilot.actor.default-mailbox");
        return new ActorSystemSettings(
            Throughput: Positive("autopilot.actor.throughput", c.GetInt("autopilot.actor.throughput")),
            AskTimeout: c.GetTimeSpan("autopilot.actor.ask-timeout"),
            DefaultMailbox: new MailboxSettings(
                mailbox.GetInt("capacity"),
                OneOf(c, "autopilot.actor.default-mailbox.overflow", new Dictionary<string, MailboxOverflow>
                {
                    ["dead-letter"] = MailboxOverflow.DeadLetter,
                    ["throw"] = MailboxOverflow.Throw,
                })),
            LogLevel: Level(c, "autopilot.loglevel"),
            StdoutLogLevel: Level(c, "autopilot.stdout-loglevel"),
            GuardianStrategy: OneOf(c, "autopilot.actor.guardian-supervisor-strategy", new Dictionary<string, SupervisorStrategy>
            {
                ["default"] = SupervisorStrategy.Default,
                ["stopping"] = SupervisorStrategy.Stopping,
            }),
            Shutdown: ShutdownFrom(c.GetConfig("autopilot.coordinated-shutdown")));
    }

    private static CoordinatedShutdownSettings ShutdownFrom(Config shutdown)
    {
        var defaultTimeout = shutdown.GetTimeSpan("default-phase-timeout");
        var phases = shutdown.GetConfig("phases").AsEnumerable()
            .Select(entry =>
            {
                var phase = shutdown.GetConfig("phases").GetConfig(HoconPath.Format([entry.Key]));
                return new ShutdownPhase(
                    entry.Key,
                    phase.GetStringList("depends-on", []),
                    phase.GetTimeSpan("timeout", defaultTimeout),
                    phase.GetBoolean("recover", true));
            })
            .ToArray();
        return new CoordinatedShutdownSettings(phases);
    }

    private static int Positive(string key, int value) =>
        value > 0 ? value : throw new ConfigurationException($"{key} must be positive, but is {value}.", key);

    private static LogLevel Level(Config c, string key) => OneOf(c, key, new Dictionary<string, LogLevel>(StringComparer.OrdinalIgnoreCase)
    {
        ["DEBUG"] = LogLevel.Debug,
        ["INFO"] = LogLevel.Info,
        ["WARNING"] = LogLevel.Warning,
        ["ERROR"] = LogLevel.Error,
        ["OFF"] = LogLevel.Off,
    });

    private static T OneOf<T>(Config c, string key, Dictionary<string, T> choices)
    {
        var text = c.GetString(key);
        return choices.TryGetValue(text, out var value)
            ? value
            : throw new ConfigurationException($"{key} = '{text}' (at {c.GetValue(key).Origin}) is not one of: {string.Join(", ", choices.Keys)}.", key);
    }
}
