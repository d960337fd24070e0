using System.Text.RegularExpressions;
using Autopilot.Platforms.GitHub;
using Autopilot.Agents.GitHub;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Audit;

namespace Autopilot.Daemon.Dashboard;

/// <summary>
/// An incident with its story for the dashboard: what was observed, decided and done about its service from shortly
/// before it opened until it was resolved (or now), and the GitHub issue it was linked to.
/// </summary>
/// <param name="IncidentId">Identity.</param>
/// <param name="Service">Service.</param>
/// <param name="Title">Summary.</param>
/// <param name="OpenedAt">When it opened.</param>
/// <param name="ResolvedAt">When it was resolved; null while open.</param>
/// <param name="Open">True while open (the orchestrator's view when it answers).</param>
/// <param name="AcknowledgedBy">Who took it, if anyone.</param>
/// <param name="IssueUrl">The GitHub issue, when one was linked and the repository is known.</param>
/// <param name="Timeline">Steps, oldest first.</param>
public sealed partial record IncidentStory(
    string IncidentId, string Service, string Title, DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt, bool Open, string? AcknowledgedBy, string? IssueUrl,
    IReadOnlyList<TimelineStep> Timeline)
{
    /// <summary>How long before an incident opened its service's events count as its beginning (what was observed).</summary>
    public static readonly TimeSpan Lead = TimeSpan.FromMinutes(15);

    /// <summary>The most steps one incident shows (the newest are kept).</summary>
    public const int MaxSteps = 40;

    /// <summary>
    /// The incidents of <paramref name="items"/> (journal order) that are open or were opened or resolved since
    /// <paramref name="from"/>, open ones first, then newest first, with their timelines. <paramref name="live"/> is the
    /// orchestrator's list of open incidents, or null when it could not be asked (then the journal decides).
    /// </summary>
    /// <remarks>One pass indexes updates and GitHub alerts; each timeline reads only its own stretch of the journal.</remarks>
    public static IReadOnlyList<IncidentStory> Of(IReadOnlyList<AuditItem> items, IReadOnlyList<IncidentView>? live, GitHubRepository? repository, DateTimeOffset from)
    {
        var updates = new Dictionary<string, List<IncidentUpdated>>(StringComparer.Ordinal);
        var toGitHub = new HashSet<string>(StringComparer.Ordinal);
        var opened = new List<IncidentOpened>();
        foreach (var item in items)
        {
            switch (item.Event)
            {
                case IncidentOpened o:
                    opened.Add(o);
                    break;
                case IncidentUpdated u:
                    if (!updates.TryGetValue(u.IncidentId, out var list))
                    {
                        updates[u.IncidentId] = list = [];
                    }

                    list.Add(u);
                    break;
                case AlertSent a when a.Channels.Contains("github"):
                    toGitHub.Add(a.Fingerprint);
                    break;
            }
        }

        var stories = new List<IncidentStory>();
        foreach (var incident in opened)
        {
            var changes = updates.TryGetValue(incident.IncidentId, out var list) ? list : [];
            var resolved = changes.LastOrDefault(u => u.Change is "resolved" or "closed")?.At;
            var current = live?.FirstOrDefault(v => v.IncidentId == incident.IncidentId);
            var open = live is null ? resolved is null : current is not null;
            if (!open && incident.At < from && !(resolved >= from))
            {
                continue;
            }

            stories.Add(new IncidentStory(incident.IncidentId, incident.Service, incident.Title, incident.At, open ? null : resolved, open,
                current?.AcknowledgedBy ?? changes.LastOrDefault(u => u.Change == "acknowledged")?.Detail,
                IssueOf(repository, incident, changes, toGitHub.Contains(incident.Fingerprint)), StepsOf(items, incident, resolved)));
        }

        return stories.OrderByDescending(s => s.Open).ThenByDescending(s => s.OpenedAt).ToArray();
    }

    /// <summary>The steps about <paramref name="incident"/>'s service from <see cref="Lead"/> before it opened until it was resolved.</summary>
    private static TimelineStep[] StepsOf(IReadOnlyList<AuditItem> items, IncidentOpened incident, DateTimeOffset? resolved)
    {
        var start = incident.At - Lead;
        var end = resolved ?? DateTimeOffset.MaxValue;
        // Items are in journal order, which is time order up to a writer's clock skew: search with a minute of slack.
        var slack = TimeSpan.FromMinutes(1);
        var low = TimeOrder.FirstAtOrAfter(items, i => i.At, start - slack);

        var steps = new List<TimelineStep>();
        for (var i = low; i < items.Count && (end == DateTimeOffset.MaxValue || items[i].At <= end + slack); i++)
        {
            var item = items[i];
            if (item.At >= start && item.At <= end && Concerns(item.Event, incident) && Step(item) is { } step)
            {
                steps.Add(step);
            }
        }

        return steps.Count > MaxSteps ? steps.GetRange(steps.Count - MaxSteps, MaxSteps).ToArray() : steps.ToArray();
    }

    /// <summary>
    /// The incident's GitHub issue: the numbered issue an <c>open-issue</c> action linked; else, when a CRITICAL alert
    /// about it went to GitHub, that channel's issue found by the fingerprint label it carries (the alert does not record
    /// the issue's number); else none.
    /// </summary>
    private static string? IssueOf(GitHubRepository? repository, IncidentOpened opened, IReadOnlyList<IncidentUpdated> updates, bool alertedToGitHub)
    {
        if (repository is null)
        {
            return null;
        }

        var issues = $"https://github.com/{Uri.EscapeDataString(repository.Owner)}/{Uri.EscapeDataString(repository.Name)}/issues";
        if (updates.LastOrDefault(u => u.Change == "issue-linked") is { } linked && IssueNumber().Match(linked.Detail) is { Success: true } number)
        {
            return $"{issues}/{number.Groups[1].Value}";
        }

        return alertedToGitHub
            ? $"{issues}?q=is%3Aissue+label%3A{IncidentFingerprints.Label(opened.Fingerprint)}"
            : null;
    }

    private static bool Concerns(IAuditEvent e, IncidentOpened incident) => e switch
    {
        IncidentOpened o => o.IncidentId == incident.IncidentId,
        IncidentUpdated u => u.IncidentId == incident.IncidentId,
        Observed o => o.Service == incident.Service,
        Oriented o => o.Service == incident.Service,
        Decided d => d.Service == incident.Service,
        ActionRequested r => r.Service == incident.Service,
        ActionCompleted c => c.Service == incident.Service,
        ActionFailed f => f.Service == incident.Service,
        AlertSent a => a.Service == incident.Service,
        ApprovalRequested a => a.Service == incident.Service,
        _ => false,
    };

    /// <summary>A step of the observe → decide → act → result loop, or null for events that are not part of it.</summary>
    private static TimelineStep? Step(AuditItem item) => item.Event switch
    {
        Observed o => new TimelineStep(item.At, "observe", o.Summary),
        Oriented o => new TimelineStep(item.At, "orient", $"{o.Situation}: {o.Evidence}"),
        Decided d => new TimelineStep(item.At, "decide", d.Actions.Count == 0 ? $"no action ({d.Reason})" : $"{string.Join(", ", d.Actions)} ({d.Reason})"),
        ActionRequested r => new TimelineStep(item.At, "act", $"{r.Action} requested"),
        ActionCompleted c => new TimelineStep(item.At, "result", $"succeeded: {c.Detail}"),
        ActionFailed f => new TimelineStep(item.At, "result", $"failed: {f.Error}"),
        AlertSent a => new TimelineStep(item.At, "alert", $"{a.Severity.ToString().ToLowerInvariant()}: {a.Title}"),
        IncidentOpened o => new TimelineStep(item.At, "incident", $"opened: {o.Title}"),
        IncidentUpdated u => new TimelineStep(item.At, "incident", string.IsNullOrEmpty(u.Detail) ? u.Change : $"{u.Change}: {u.Detail}"),
        ApprovalRequested a => new TimelineStep(item.At, "decide", $"approval asked for {a.Action}"),
        _ => null,
    };

    [GeneratedRegex(@"#(\d+)")]
    private static partial Regex IssueNumber();
}

/// <summary>One step of an incident's timeline.</summary>
/// <param name="At">When.</param>
/// <param name="Stage">observe, orient, decide, act, result, alert or incident.</param>
/// <param name="Text">What happened (already redacted when it was recorded).</param>
public sealed record TimelineStep(DateTimeOffset At, string Stage, string Text);
