using System.Collections.Concurrent;

namespace Autopilot.Daemon.SelfWatch;

/// <summary>
/// The self-watch conditions holding now, as the <see cref="SelfWatcher"/> last judged them: what <c>/health</c> shows,
/// so a condition is visible even when the alert about it cannot be delivered (Telegram down, journal failing).
/// Written only by the self-watcher; read by the HTTP edge.
/// </summary>
public sealed class SelfWatchStatus
{
    private readonly ConcurrentDictionary<string, ActiveCondition> _active = new(StringComparer.Ordinal);

    /// <summary>The active conditions, by name.</summary>
    public IReadOnlyList<ActiveCondition> Active => _active.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();

    internal void Set(ActiveCondition condition) => _active[condition.Name] = condition;

    internal void Clear(string name) => _active.TryRemove(name, out _);
}

/// <summary>A self-watch condition that holds.</summary>
/// <param name="Name">The condition (journal, lease, queue:intake, platform-errors, webhook-latency, api-latency, memory, cpu, disk).</param>
/// <param name="Detail">What was measured, against which threshold (no secrets).</param>
/// <param name="Since">When it started holding.</param>
public sealed record ActiveCondition(string Name, string Detail, DateTimeOffset Since);
