using Autopilot.Agents.Policy;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Audit;

namespace Autopilot.Daemon.Dashboard;

/// <summary>
/// Answer of <c>/api/dashboard/summary</c>: what happened in the last days, counted from the audit trail. Deploys,
/// rollbacks and restarts (restart and redeploy) are counted when the autopilot recorded the request, before acting.
/// </summary>
public sealed record ActivitySummary(
    DateTimeOffset From, DateTimeOffset To, int Deploys, int Rollbacks, int Restarts, int ActionsFailed, int IncidentsOpened, int IncidentsResolved,
    IReadOnlyDictionary<string, int> AlertsBySeverity, int ApprovalsRequested, int ApprovalsApproved, int ApprovalsRejected, int ApprovalsExpired, bool CaughtUp)
{
    /// <summary>Counts <paramref name="items"/> persisted in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static ActivitySummary Of(IEnumerable<AuditItem> items, DateTimeOffset from, DateTimeOffset to, bool caughtUp)
    {
        int deploys = 0, rollbacks = 0, restarts = 0, failed = 0, opened = 0, resolved = 0, requested = 0, approved = 0, rejected = 0, expired = 0;
        var alerts = Enum.GetValues<AlertSeverity>().ToDictionary(s => s.ToString().ToLowerInvariant(), _ => 0, StringComparer.Ordinal);
        foreach (var item in items.Where(i => i.At >= from && i.At < to))
        {
            switch (item.Event)
            {
                case ActionRequested { Action: PolicyActions.Deploy }:
                    deploys++;
                    break;
                case ActionRequested { Action: PolicyActions.Rollback }:
                    rollbacks++;
                    break;
                case ActionRequested { Action: PolicyActions.Restart or PolicyActions.Redeploy }:
                    restarts++;
                    break;
                case ActionFailed:
                    failed++;
                    break;
                case IncidentOpened:
                    opened++;
                    break;
                case IncidentUpdated { Change: "resolved" or "closed" }:
                    resolved++;
                    break;
                case AlertSent alert:
                    alerts[alert.Severity.ToString().ToLowerInvariant()]++;
                    break;
                case ApprovalRequested:
                    requested++;
                    break;
                case ApprovalDecided decided:
                    _ = decided.Approved ? approved++ : rejected++;
                    break;
                case ApprovalExpired:
                    expired++;
                    break;
            }
        }

        return new ActivitySummary(from, to, deploys, rollbacks, restarts, failed, opened, resolved, alerts, requested, approved, rejected, expired, caughtUp);
    }
}

/// <summary>Answer of <c>/api/dashboard/activity</c>: audit events per hour, by kind (the OODA phase).</summary>
/// <param name="From">Start of the first hour (whole UTC hour).</param>
/// <param name="Kinds">The kinds, in the order the page stacks them.</param>
/// <param name="Hours">One entry per hour, oldest first; <c>Counts</c> in the order of <paramref name="Kinds"/>.</param>
/// <param name="CaughtUp">False while the dashboard is still reading history.</param>
public sealed record HourlyActivity(DateTimeOffset From, IReadOnlyList<string> Kinds, IReadOnlyList<ActivityHour> Hours, bool CaughtUp)
{
    /// <summary>Buckets <paramref name="items"/> into the <paramref name="hours"/> whole UTC hours ending with the one holding <paramref name="now"/>.</summary>
    public static HourlyActivity Of(IEnumerable<AuditItem> items, DateTimeOffset now, int hours, bool caughtUp)
    {
        var kinds = AuditFilter.Phases.Append("other").ToArray();
        var last = new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, now.UtcDateTime.Day, now.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);
        var from = last.AddHours(-(hours - 1));
        var counts = new int[hours, kinds.Length];
        foreach (var item in items)
        {
            var hour = (int)Math.Floor((item.At - from).TotalHours);
            if (hour >= 0 && hour < hours)
            {
                counts[hour, Array.IndexOf(kinds, AuditRecord.PhaseOf(item.Event))]++;
            }
        }

        var buckets = Enumerable.Range(0, hours)
            .Select(h => new ActivityHour(from.AddHours(h), Enumerable.Range(0, kinds.Length).Select(k => counts[h, k]).ToArray()))
            .ToArray();
        return new HourlyActivity(from, kinds, buckets, caughtUp);
    }
}

/// <summary>One hour of <see cref="HourlyActivity"/>.</summary>
/// <param name="Hour">Its start.</param>
/// <param name="Counts">Events per kind.</param>
public sealed record ActivityHour(DateTimeOffset Hour, IReadOnlyList<int> Counts);
