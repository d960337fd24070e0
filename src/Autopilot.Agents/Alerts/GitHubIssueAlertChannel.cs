using Autopilot.Agents.GitHub;
using Autopilot.Platforms.GitHub;

namespace Autopilot.Agents.Alerts;

/// <summary>
/// Turns CRITICAL alerts into GitHub incident issues, one per fingerprint: the first alert opens the issue, later ones
/// comment on it (found again by the fingerprint label and body marker), so retries and repeats never open a second issue.
/// </summary>
public sealed class GitHubIssueAlertChannel : IAlertChannel
{
    private readonly IGitHubClient _client;
    private readonly GitHubRepository _repository;
    private readonly IReadOnlyList<string> _labels;

    /// <summary>Creates the channel opening issues in <paramref name="repository"/> with <paramref name="labels"/>.</summary>
    public GitHubIssueAlertChannel(IGitHubClient client, GitHubRepository repository, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(labels);
        _client = client;
        _repository = repository;
        _labels = labels;
    }

    /// <inheritdoc />
    public string Name => AlertChannelNames.GitHub;

    /// <inheritdoc />
    public async Task DeliverAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = $"{message.Body}\n\nAlert {message.AlertId}{(message.Service is null ? "" : $" · service {message.Service}")}";
        var (issue, created) = await _client.OpenIssueOnceAsync(
            _repository,
            new NewIssue(message.Title, body, _labels),
            IncidentFingerprints.Label(message.Fingerprint),
            IncidentFingerprints.Marker(message.Fingerprint),
            cancellationToken).ConfigureAwait(false);
        if (!created)
        {
            await _client.CommentAsync(_repository, issue.Number, $"**{message.Title}**\n\n{body}", cancellationToken).ConfigureAwait(false);
        }
    }
}
