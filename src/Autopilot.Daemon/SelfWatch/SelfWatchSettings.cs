using Akka.Configuration;
using Autopilot.Agents.Configuration;

namespace Autopilot.Daemon.SelfWatch;

/// <summary>
/// The daemon's watch over itself (<c>autopilot.self-watch</c>): how often the conditions are evaluated and each one's
/// threshold and "for" duration (how long it must hold before it is alerted). Validated at start like every other
/// section: a malformed or out-of-range value fails the start with its key's name.
/// </summary>
/// <param name="Enabled">Whether the self-watch runs at all.</param>
/// <param name="Interval">Time between evaluations.</param>
/// <param name="Journal">Journal writes or the journal database's probe failing.</param>
/// <param name="Lease">Cluster singletons (and their lease) not held by any member (clustered mode only).</param>
/// <param name="Queues">Queue depths, by queue name (see <see cref="QueueWatch.Known"/>).</param>
/// <param name="PlatformErrors">The error ratio of platform API calls.</param>
/// <param name="WebhookLatency">p95 of webhook requests.</param>
/// <param name="ApiLatency">p95 of admin API requests (the live stream excluded).</param>
/// <param name="Memory">The process's resident memory.</param>
/// <param name="Cpu">The process's CPU use.</param>
/// <param name="Disk">Use of the file system under the data directory.</param>
/// <param name="AlertDelivery">Alert deliveries abandoned (Telegram or GitHub not taking the daemon's alerts).</param>
public sealed record SelfWatchSettings(
    bool Enabled,
    TimeSpan Interval,
    ConditionWatch Journal,
    ConditionWatch Lease,
    IReadOnlyList<QueueWatch> Queues,
    PlatformErrorWatch PlatformErrors,
    LatencyWatch WebhookLatency,
    LatencyWatch ApiLatency,
    MemoryWatch Memory,
    RatioWatch Cpu,
    RatioWatch Disk,
    WindowWatch AlertDelivery)
{
    /// <summary>The section's path.</summary>
    public const string Section = "autopilot.self-watch";

    /// <summary>Reads and validates <c>autopilot.self-watch</c>.</summary>
    /// <exception cref="SettingException">A key is missing, malformed or out of range; the message names it.</exception>
    public static SelfWatchSettings FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var section = new ConfigSection(config, Section);
        var queues = section.GetConfig("queue-depth");
        return new SelfWatchSettings(
            section.GetBoolean("enabled"),
            section.GetPositiveTimeSpan("interval"),
            new ConditionWatch(For(section, "journal")),
            new ConditionWatch(For(section, "lease")),
            queues.Keys.Select(name => QueueWatch.FromConfig(queues, name)).ToArray(),
            new PlatformErrorWatch(Ratio(section, "platform-errors.max-ratio"), section.GetPositiveTimeSpan("platform-errors.window"),
                section.GetIntAtLeast("platform-errors.min-calls", 1), For(section, "platform-errors")),
            LatencyWatch.FromConfig(section, "latency.webhook"),
            LatencyWatch.FromConfig(section, "latency.api"),
            new MemoryWatch(PositiveBytes(section, "memory.max-rss"), For(section, "memory")),
            new RatioWatch(Ratio(section, "cpu.max-ratio"), For(section, "cpu")),
            new RatioWatch(Ratio(section, "disk.max-used-ratio"), For(section, "disk")),
            new WindowWatch(section.GetPositiveTimeSpan("alert-delivery.window"), For(section, "alert-delivery")));
    }

    internal static TimeSpan For(ConfigSection section, string condition)
    {
        var key = $"{condition}.for";
        var value = section.GetTimeSpan(key);
        return value < TimeSpan.Zero ? throw new SettingException(section.KeyOf(key), $"must not be negative (was {value}).") : value;
    }

    private static double Ratio(ConfigSection section, string key)
    {
        var value = section.GetDouble(key);
        return value is > 0 and <= 1 ? value : throw new SettingException(section.KeyOf(key), $"must be a ratio above 0 and at most 1, e.g. 0.8 for 80 % (was {value}).");
    }

    private static long PositiveBytes(ConfigSection section, string key)
    {
        var value = section.GetByteSize(key);
        return value > 0 ? value : throw new SettingException(section.KeyOf(key), "must be a positive byte size.");
    }
}

/// <summary>A condition with nothing to configure but how long it must hold before it is alerted.</summary>
/// <param name="For">How long it must hold (0: at the first evaluation that sees it).</param>
public sealed record ConditionWatch(TimeSpan For);

/// <summary>A queue deeper than <paramref name="MaxDepth"/> for <paramref name="For"/> (<c>autopilot.self-watch.queue-depth.&lt;queue&gt;</c>).</summary>
/// <param name="Queue">The queue's name, one of <see cref="Known"/>.</param>
/// <param name="MaxDepth">Most items waiting before the condition holds.</param>
/// <param name="For">How long it must be deeper.</param>
public sealed record QueueWatch(string Queue, long MaxDepth, TimeSpan For)
{
    /// <summary>
    /// The queues whose depth the daemon measures (<see cref="SelfWatchMeasurements.AddQueue"/>): <c>intake</c>, the
    /// webhook intake's mailbox, and <c>tasks</c>, operator tasks waiting to start (<see cref="TaskQueueDepth"/>). A new
    /// queue is one more name here, one <see cref="SelfWatchMeasurements.AddQueue"/> call and one entry in <c>reference.conf</c>.
    /// </summary>
    public static IReadOnlyList<string> Known { get; } = ["intake", "tasks"];

    internal static QueueWatch FromConfig(ConfigSection queues, string name)
    {
        if (!Known.Contains(name, StringComparer.Ordinal))
        {
            throw new SettingException(queues.KeyOf(name), $"is not a queue the daemon measures (known: {string.Join(", ", Known)}).");
        }

        var max = queues.GetLong($"{name}.max-depth");
        return max < 1
            ? throw new SettingException(queues.KeyOf($"{name}.max-depth"), $"must be at least 1 (was {max}).")
            : new QueueWatch(name, max, SelfWatchSettings.For(queues, name));
    }
}

/// <summary>Platform API calls failing (5xx or no answer) in more than <paramref name="MaxRatio"/> of the calls over <paramref name="Window"/>.</summary>
/// <param name="MaxRatio">Largest acceptable share of failed calls (0.05 = 5 %).</param>
/// <param name="Window">The sliding window the ratio is taken over.</param>
/// <param name="MinCalls">Fewest calls in the window for the ratio to count (one failed call of two is not an outage).</param>
/// <param name="For">How long the ratio must stay above.</param>
public sealed record PlatformErrorWatch(double MaxRatio, TimeSpan Window, int MinCalls, TimeSpan For);

/// <summary>Request p95 over its target.</summary>
/// <param name="Target">The p95 target.</param>
/// <param name="Window">The sliding window the p95 is taken over.</param>
/// <param name="MinRequests">Fewest requests in the window for the p95 to count.</param>
/// <param name="For">How long the p95 must stay above.</param>
public sealed record LatencyWatch(TimeSpan Target, TimeSpan Window, int MinRequests, TimeSpan For)
{
    internal static LatencyWatch FromConfig(ConfigSection section, string path) => new(
        section.GetPositiveTimeSpan($"{path}.p95-target"),
        section.GetPositiveTimeSpan($"{path}.window"),
        section.GetIntAtLeast($"{path}.min-requests", 1),
        SelfWatchSettings.For(section, path));
}

/// <summary>Resident memory above <paramref name="MaxBytes"/>.</summary>
/// <param name="MaxBytes">The threshold.</param>
/// <param name="For">How long it must stay above.</param>
public sealed record MemoryWatch(long MaxBytes, TimeSpan For);

/// <summary>A ratio (CPU of all cores, disk used) above <paramref name="Max"/>.</summary>
/// <param name="Max">The threshold, above 0 and at most 1.</param>
/// <param name="For">How long it must stay above.</param>
public sealed record RatioWatch(double Max, TimeSpan For);

/// <summary>Something that happened within the last <paramref name="Window"/>.</summary>
/// <param name="Window">How far back an occurrence keeps the condition holding.</param>
/// <param name="For">How long it must hold.</param>
public sealed record WindowWatch(TimeSpan Window, TimeSpan For);
