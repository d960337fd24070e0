namespace Autopilot.Daemon.ClusterHarness.Platforms;

/// <summary>
/// The platform credentials of one node. Every node gets its own, all valid, so each request a fake records can be
/// traced to the node that sent it (a deposed leader must not send any).
/// </summary>
/// <param name="RailwayToken">Railway account token.</param>
/// <param name="GitHubToken">GitHub personal token.</param>
/// <param name="TelegramBotToken">Telegram bot token (<c>id:secret</c>).</param>
public sealed record NodeCredentials(string RailwayToken, string GitHubToken, string TelegramBotToken)
{
    /// <summary>True when <paramref name="request"/> carried one of these credentials.</summary>
    internal bool Sent(Autopilot.Simulator.Hosting.RecordedExchange request) =>
        request.RequestHeaders.TryGetValue("Authorization", out var authorization)
        && (authorization.EndsWith(' ' + RailwayToken, StringComparison.Ordinal) || authorization.EndsWith(' ' + GitHubToken, StringComparison.Ordinal))
        || request.Path.StartsWith($"/bot{TelegramBotToken}/", StringComparison.Ordinal);

    /// <summary>Never prints the secrets.</summary>
    public override string ToString() => "NodeCredentials { *** }";
}
