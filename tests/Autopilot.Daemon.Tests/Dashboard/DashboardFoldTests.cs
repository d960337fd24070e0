using Autopilot.Agents.GitHub;
using Autopilot.Agents.Policy;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Dashboard;
using Autopilot.Platforms.GitHub;

namespace Autopilot.Daemon.Tests.Dashboard;

/// <summary>The dashboard's summary, hourly activity and incident stories, folded from crafted audit windows.</summary>
public sealed class DashboardFoldTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 10, 12, 30, 0, TimeSpan.Zero);
    private long _offset;

    private AuditItem At(DateTimeOffset at, IAuditEvent e) => new(++_offset, at, e);

    private static ActionRequested Request(string action, DateTimeOffset at, string service = "api") =>
        new($"{action}-{at.Ticks}", "railway", action, service, new Dictionary<string, string>(), null, null, at);

    [Fact]
    public void The_summary_counts_what_was_requested_opened_resolved_alerted_and_decided_inside_its_window_only()
    {
        var items = new[]
        {
            At(T0.AddDays(-8), Request(PolicyActions.Rollback, T0.AddDays(-8))), // before the window
            At(T0.AddHours(-5), Request(PolicyActions.Deploy, T0.AddHours(-5))),
            At(T0.AddHours(-4), Request(PolicyActions.Rollback, T0.AddHours(-4))),
            At(T0.AddHours(-4), Request(PolicyActions.Restart, T0.AddHours(-4))),
            At(T0.AddHours(-4), Request(PolicyActions.Redeploy, T0.AddHours(-4))),
            At(T0.AddHours(-3), new ActionFailed("x", "500", "railway", "api", T0.AddHours(-3))),
            At(T0.AddHours(-3), new IncidentOpened("i1", "api", "api:build-failed", "build failed", null, null, T0.AddHours(-3))),
            At(T0.AddHours(-2), new IncidentUpdated("i1", "resolved", "", T0.AddHours(-2))),
            At(T0.AddHours(-2), new AlertSent(AlertSeverity.Critical, "down", "api:down", ["telegram"], "api", T0.AddHours(-2))),
            At(T0.AddHours(-2), new AlertSent(AlertSeverity.Warning, "slow", "api:slow", ["telegram"], "api", T0.AddHours(-2))),
            At(T0.AddHours(-1), new ApprovalRequested("a1", "api", "rollback", "review band", 70, new Dictionary<string, string>(), null, null, T0.AddHours(-1))),
            At(T0.AddHours(-1), new ApprovalDecided("a1", false, "alice", "telegram", T0.AddHours(-1))),
            At(T0.AddMinutes(1), Request(PolicyActions.Deploy, T0.AddMinutes(1))), // after the window's end
        };

        var summary = ActivitySummary.Of(items, T0.AddDays(-7), T0, caughtUp: true);

        Assert.Equal((1, 1, 2, 1), (summary.Deploys, summary.Rollbacks, summary.Restarts, summary.ActionsFailed));
        Assert.Equal((1, 1), (summary.IncidentsOpened, summary.IncidentsResolved));
        Assert.Equal(new Dictionary<string, int> { ["info"] = 0, ["warning"] = 1, ["critical"] = 1 }, summary.AlertsBySeverity);
        Assert.Equal((1, 0, 1, 0), (summary.ApprovalsRequested, summary.ApprovalsApproved, summary.ApprovalsRejected, summary.ApprovalsExpired));
    }

    [Fact]
    public void Hourly_activity_puts_each_event_in_its_whole_UTC_hour_by_phase_and_leaves_quiet_hours_at_zero()
    {
        var items = new[]
        {
            At(T0.AddMinutes(-25), new Observed("railway", "deployment-status", "ok", "api", null, null, T0)), // 12:05, this hour
            At(T0.AddMinutes(-31), Request(PolicyActions.Deploy, T0)), // 11:59, the hour before
            At(T0.AddMinutes(-32), new AlertSent(AlertSeverity.Info, "fyi", "f", ["journal"], null, T0)),
            At(T0.AddHours(-3), new Observed("github", "push", "push", null, null, null, T0)), // outside 3 hours
        };

        var activity = HourlyActivity.Of(items, T0, hours: 3, caughtUp: true);

        Assert.Equal(new DateTimeOffset(2026, 3, 10, 10, 0, 0, TimeSpan.Zero), activity.From);
        Assert.Equal(3, activity.Hours.Count);
        int Count(int hour, string kind) => activity.Hours[hour].Counts[activity.Kinds.ToList().IndexOf(kind)];
        Assert.All(activity.Hours[0].Counts, c => Assert.Equal(0, c));
        Assert.Equal((1, 1), (Count(1, "act"), Count(1, "alert")));
        Assert.Equal(1, Count(2, "observe"));
        Assert.Equal(3, activity.Hours.Sum(h => h.Counts.Sum()));
    }

    [Fact]
    public void An_incident_story_holds_its_services_steps_from_shortly_before_it_opened_until_it_was_resolved_and_its_issue()
    {
        var repository = new GitHubRepository("acme", "ops");
        var items = new[]
        {
            At(T0.AddMinutes(-30), new Observed("railway", "deployment-status", "too early", "api", null, null, T0.AddMinutes(-30))),
            At(T0.AddMinutes(-1), new Observed("railway", "deployment-status", "build FAILED", "api", "d1", "abc", T0.AddMinutes(-1))),
            At(T0.AddMinutes(-1), new Observed("railway", "deployment-status", "another service", "web", null, null, T0.AddMinutes(-1))),
            At(T0, new IncidentOpened("i1", "api", "api:build-failed", "api: build failed", "d1", "abc", T0)),
            At(T0, new Decided("api", "build-failed", [PolicyActions.Rollback], "policy", false, "d1", "abc", T0)),
            At(T0, Request(PolicyActions.Rollback, T0)),
            At(T0.AddSeconds(5), new ActionCompleted("r", "rolled back", "railway", "api", T0.AddSeconds(5))),
            At(T0.AddSeconds(6), new AlertSent(AlertSeverity.Critical, "api: build failed", "api:build-failed", ["telegram", "github"], "api", T0.AddSeconds(6))),
            At(T0.AddMinutes(10), new IncidentUpdated("i1", "resolved", "healthy again", T0.AddMinutes(10))),
            At(T0.AddMinutes(20), new Observed("railway", "deployment-status", "after the end", "api", null, null, T0.AddMinutes(20))),
        };

        var story = Assert.Single(IncidentStory.Of(items, live: null, repository, from: T0.AddDays(-7)));

        Assert.False(story.Open);
        Assert.Equal(T0.AddMinutes(10), story.ResolvedAt);
        Assert.Equal(["observe", "incident", "decide", "act", "result", "alert", "incident"], story.Timeline.Select(s => s.Stage));
        Assert.Equal("build FAILED", story.Timeline[0].Text);
        Assert.Equal($"https://github.com/acme/ops/issues?q=is%3Aissue+label%3A{IncidentFingerprints.Label("api:build-failed")}", story.IssueUrl);

        // Resolved before the window and not open: left out; still open per the orchestrator: kept.
        Assert.Empty(IncidentStory.Of(items, live: null, repository, from: T0.AddHours(1)));
        var live = new IncidentView("i1", "api", "api:build-failed", "api: build failed", T0, 1, "bob");
        var open = Assert.Single(IncidentStory.Of(items, [live], repository, from: T0.AddHours(1)));
        Assert.True(open.Open);
        Assert.Equal("bob", open.AcknowledgedBy);
    }

    [Fact]
    public void A_linked_issue_number_wins_over_the_label_search()
    {
        var items = new[]
        {
            At(T0, new IncidentOpened("i1", "api", "api:down", "api down", null, null, T0)),
            At(T0.AddSeconds(1), new IncidentUpdated("i1", "issue-linked", "opened issue #42", T0.AddSeconds(1))),
        };

        Assert.Equal("https://github.com/acme/ops/issues/42", Assert.Single(IncidentStory.Of(items, null, new GitHubRepository("acme", "ops"), T0.AddDays(-1))).IssueUrl);
        Assert.Null(Assert.Single(IncidentStory.Of(items, null, repository: null, T0.AddDays(-1))).IssueUrl);
    }
}
