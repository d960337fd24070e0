namespace Autopilot.Agents.Protocol;

/// <summary>How loud an alert is; decides the channels it reaches.</summary>
public enum AlertSeverity
{
    /// <summary>Good news or bookkeeping: recorded in the journal only.</summary>
    Info,

    /// <summary>Someone should look soon: sent to Telegram.</summary>
    Warning,

    /// <summary>Production is impaired or the autopilot stopped itself: Telegram and a GitHub issue.</summary>
    Critical,
}

/// <summary>
/// Asks the alerts worker (<c>/user/orchestrator/alerts</c>) to tell humans something. The
/// <paramref name="Fingerprint"/> identifies the incident kind so repeated alerts can be deduplicated.
/// </summary>
/// <param name="Severity">How loud.</param>
/// <param name="Title">One line for humans.</param>
/// <param name="Body">Details (already redacted by the sender).</param>
/// <param name="Fingerprint">Stable identity of the incident kind, e.g. <c>railway:api:build-failed</c>.</param>
/// <param name="Service">The service it concerns, if any.</param>
/// <param name="ActionId">
/// The orchestrator's recorded request, when the alert is one of its actions: the alerts worker accepts each action id
/// once (a request sent again after a crash is not a second alert) and answers it with a <see cref="WorkerResult"/>.
/// </param>
public sealed record RaiseAlert(AlertSeverity Severity, string Title, string Body, string Fingerprint, string? Service = null, string? ActionId = null);
