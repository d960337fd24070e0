using Autopilot.Agents.Protocol;

namespace Autopilot.Daemon.SelfWatch;

/// <summary>
/// One condition the <see cref="SelfWatcher"/> evaluates on each tick. <paramref name="Probe"/> measures and judges:
/// it returns what it saw against which threshold while the condition holds, and null while it does not (or while
/// there is nothing to judge yet, e.g. too few calls in the window).
/// </summary>
/// <param name="Name">Stable name: the alert's fingerprint, the <c>/health</c> entry and the metric label.</param>
/// <param name="Severity">How loud the alert is (critical: Telegram and a GitHub issue; warning: Telegram).</param>
/// <param name="For">How long it must hold before it is alerted.</param>
/// <param name="Probe">Measures now; returns the detail while the condition holds, else null.</param>
public sealed record SelfWatchCheck(string Name, AlertSeverity Severity, TimeSpan For, Func<string?> Probe);
