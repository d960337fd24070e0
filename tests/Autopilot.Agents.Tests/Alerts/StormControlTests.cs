using Autopilot.Agents.Alerts;
using Xunit;

namespace Autopilot.Agents.Tests.Alerts;

public sealed class StormControlTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_first_alert_goes_out_and_repeats_within_the_window_are_folded_into_one_summary()
    {
        var storms = new StormControl(TimeSpan.FromMinutes(5));
        Assert.False(storms.ShouldFold("api:down", T0));
        storms.Record("api:down", T0, folded: false);
        for (var i = 1; i <= 4; i++)
        {
            var at = T0 + TimeSpan.FromMinutes(i);
            Assert.True(storms.ShouldFold("api:down", at));
            storms.Record("api:down", at, folded: true);
        }

        Assert.Empty(storms.CloseExpired(T0 + TimeSpan.FromMinutes(4.9)));
        var summary = Assert.Single(storms.CloseExpired(T0 + TimeSpan.FromMinutes(5)));
        Assert.Equal(new FoldedStorm("api:down", 5, 4, T0), summary);
        Assert.Equal("(×5 in the last 5 min)", storms.Suffix(summary.Occurrences));
        Assert.False(storms.ShouldFold("api:down", T0 + TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Fingerprints_are_independent_and_a_window_without_repeats_needs_no_summary()
    {
        var storms = new StormControl(TimeSpan.FromMinutes(5));
        storms.Record("api:down", T0, false);
        Assert.False(storms.ShouldFold("db:down", T0 + TimeSpan.FromMinutes(1)));
        storms.Record("db:down", T0 + TimeSpan.FromMinutes(1), false);
        storms.Record("db:down", T0 + TimeSpan.FromMinutes(2), true);
        Assert.Equal(T0 + TimeSpan.FromMinutes(5), storms.NextExpiry);

        var closed = storms.CloseExpired(T0 + TimeSpan.FromMinutes(10));
        Assert.Equal("db:down", Assert.Single(closed).Fingerprint);
        Assert.Null(storms.NextExpiry);
    }

    [Fact]
    public void An_alert_after_the_window_opens_a_new_one()
    {
        var storms = new StormControl(TimeSpan.FromMinutes(5));
        storms.Record("x", T0, false);
        Assert.False(storms.ShouldFold("x", T0 + TimeSpan.FromMinutes(6)));
    }
}
