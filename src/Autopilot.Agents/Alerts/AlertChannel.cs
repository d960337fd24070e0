using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Alerts;

/// <summary>An alert ready to go out on a channel.</summary>
/// <param name="AlertId">The alert's id in the outbox (stable across retries and restarts).</param>
/// <param name="Severity">Severity.</param>
/// <param name="Title">One line for humans (a storm summary ends with <c>(×N in the last …)</c>).</param>
/// <param name="Body">Details, already redacted by the sender.</param>
/// <param name="Fingerprint">Incident kind.</param>
/// <param name="Service">Service, if any.</param>
public sealed record AlertMessage(string AlertId, AlertSeverity Severity, string Title, string Body, string Fingerprint, string? Service);

/// <summary>
/// Somewhere alerts reach humans (Telegram, a GitHub issue). <see cref="DeliverAsync"/> either delivers or throws;
/// the alerts worker owns retries and backoff, so a channel makes one attempt (its client may retry internally).
/// </summary>
public interface IAlertChannel
{
    /// <summary>The channel's name in <see cref="AlertSent.Channels"/> (<see cref="AlertChannelNames"/>).</summary>
    string Name { get; }

    /// <summary>Delivers <paramref name="message"/>; throws when it did not arrive.</summary>
    Task DeliverAsync(AlertMessage message, CancellationToken cancellationToken);
}

/// <summary>Channel names recorded with alerts.</summary>
public static class AlertChannelNames
{
    /// <summary>Recorded in the journal only (INFO).</summary>
    public const string Journal = "journal";

    /// <summary>Telegram, directly or through an n8n webhook.</summary>
    public const string Telegram = "telegram";

    /// <summary>A GitHub incident issue.</summary>
    public const string GitHub = "github";
}
