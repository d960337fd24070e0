using Autopilot.Daemon.Intake;

namespace Autopilot.Daemon.Tests.Intake;

/// <summary>
/// The remembered delivery ids of the intake and the hand-over: forgetting what left the window, and when a snapshot
/// of the whole window is worth writing.
/// </summary>
public sealed class DeliveryWindowTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Keys_older_than_the_window_are_forgotten_and_a_key_remembered_again_stays()
    {
        var window = new DeliveryWindow(TimeSpan.FromHours(1));
        window.Remember("github:a", Start);
        window.Remember("github:b", Start.AddMinutes(30));
        window.Remember("github:a", Start.AddMinutes(70));

        window.Prune(Start.AddMinutes(80));

        Assert.True(window.Contains("github:a", Start.AddMinutes(80)));
        Assert.True(window.Contains("github:b", Start.AddMinutes(80)));
        Assert.Equal(["github:b", "github:a"], window.Snapshot().Select(d => d.Key).ToArray());
    }

    [Fact]
    public void A_small_window_is_snapshotted_every_so_many_deliveries()
    {
        var window = new DeliveryWindow(TimeSpan.FromDays(7));
        for (var i = 0; i < 500; i++)
        {
            window.Remember($"github:{i}", Start);
        }

        Assert.False(window.SnapshotDue(999, every: 1000));
        Assert.True(window.SnapshotDue(1000, every: 1000));
    }

    [Fact]
    public void A_week_of_ids_is_not_rewritten_every_thousand_deliveries()
    {
        // 100,000 deliveries into a 7-day window, each followed by the intake's question. With a fixed cadence of
        // 1,000 the snapshots would hold 5,050,000 ids in all (50 per delivery), growing with the window.
        const int deliveries = 100_000;
        var window = new DeliveryWindow(TimeSpan.FromDays(7));
        long idsSnapshotted = 0;
        var since = 0;
        var longestGap = 0;
        for (var i = 0; i < deliveries; i++)
        {
            window.Remember($"github:{i}", Start.AddSeconds(i));
            if (window.SnapshotDue(++since, every: 1000))
            {
                idsSnapshotted += window.Snapshot().Count;
                longestGap = Math.Max(longestGap, since);
                since = 0;
            }
        }

        Assert.InRange(idsSnapshotted, deliveries, 11L * deliveries);
        // A recovery replays what came after the last snapshot: never more than a tenth of the window.
        Assert.InRange(Math.Max(longestGap, since), 1000, deliveries / 10);
    }
}
