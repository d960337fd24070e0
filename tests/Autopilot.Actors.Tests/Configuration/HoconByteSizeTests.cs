using Autopilot.Actors.Configuration;
using Xunit;

namespace Autopilot.Actors.Tests.Configuration;

public class HoconByteSizeTests
{
    [Theory]
    [InlineData("512", 512)]
    [InlineData("10k", 10_240)]
    [InlineData("10K", 10_240)]
    [InlineData("64 KiB", 65_536)]
    [InlineData("1MB", 1_000_000)]
    [InlineData("1m", 1_048_576)]
    [InlineData("1 MiB", 1_048_576)]
    [InlineData("2 kB", 2_000)]
    [InlineData("1.5k", 1_536)]
    [InlineData("3 bytes", 3)]
    [InlineData("1G", 1_073_741_824)]
    [InlineData("1 gigabyte", 1_000_000_000)]
    [InlineData("2 mebibytes", 2_097_152)]
    [InlineData("1 TiB", 1_099_511_627_776)]
    public void Sizes_parse_to_bytes(string text, long expected)
    {
        Assert.True(HoconByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("10 parsecs")]
    [InlineData("-1k")]
    [InlineData("0.3 B")]
    [InlineData("100000 EiB")]
    public void Invalid_sizes_are_rejected(string text)
    {
        Assert.False(HoconByteSize.TryParse(text, out _));
    }

    [Fact]
    public void Config_reports_invalid_sizes_with_the_key()
    {
        var config = HoconText.Parse("buffer = lots");

        var error = Assert.Throws<ConfigurationException>(() => config.GetByteSize("buffer"));

        Assert.Contains("'buffer' at test.conf:1 has value 'lots', which is not a byte size", error.Message);
    }
}
