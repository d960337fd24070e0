using Autopilot.Actors.Configuration;
using Xunit;

namespace Autopilot.Actors.Tests.Configuration;

public class HoconDurationTests
{
    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("100 ms", 100)]
    [InlineData("2 minutes", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("500 millis", 500)]
    [InlineData("250", 250)]
    [InlineData("1.5s", 1_500)]
    [InlineData("3 d", 259_200_000)]
    [InlineData("1 day", 86_400_000)]
    [InlineData("10 seconds", 10_000)]
    [InlineData("1m", 60_000)]
    [InlineData("2000us", 2)]
    [InlineData("3000000 nanos", 3)]
    public void Durations_parse_to_milliseconds(string text, long expectedMilliseconds)
    {
        Assert.True(HoconDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), duration);
    }

    [Fact]
    public void Infinite_is_the_infinite_timespan()
    {
        var config = HoconText.Parse("wait = infinite");

        Assert.Equal(Timeout.InfiniteTimeSpan, config.GetTimeSpan("wait"));
    }

    [Fact]
    public void Bare_numbers_in_config_are_milliseconds()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(750), HoconText.Parse("t = 750").GetTimeSpan("t"));
    }

    [Theory]
    [InlineData("5 fortnights")]
    [InlineData("s")]
    [InlineData("five seconds")]
    [InlineData("")]
    [InlineData("1e400 s")]
    public void Invalid_durations_are_rejected(string text)
    {
        Assert.False(HoconDuration.TryParse(text, out _));
    }
}
