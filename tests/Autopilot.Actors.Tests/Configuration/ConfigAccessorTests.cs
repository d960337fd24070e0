using Autopilot.Actors.Configuration;
using Xunit;

namespace Autopilot.Actors.Tests.Configuration;

public class ConfigAccessorTests
{
    private static readonly Config Sample = HoconText.Parse("""
        akka {
          actor {
            ask-timeout = 5s
            mailbox-size = 64 KiB
            throughput = 30
            big = 5000000000
            ratio = 0.75
            debug = on
            verbose = no
            provider = local
            roles = [frontend, "backend", 3]
            nested { x = 1 }
          }
        }
        """);

    [Fact]
    public void Typed_accessors_read_values()
    {
        var actor = Sample.GetConfig("akka.actor");

        Assert.Equal(TimeSpan.FromSeconds(5), actor.GetTimeSpan("ask-timeout"));
        Assert.Equal(64 * 1024, actor.GetByteSize("mailbox-size"));
        Assert.Equal(30, actor.GetInt("throughput"));
        Assert.Equal(5_000_000_000L, actor.GetLong("big"));
        Assert.Equal(0.75, actor.GetDouble("ratio"));
        Assert.True(actor.GetBoolean("debug"));
        Assert.False(actor.GetBoolean("verbose"));
        Assert.Equal("local", actor.GetString("provider"));
        Assert.Equal("30", actor.GetString("throughput"));
        Assert.Equal(["frontend", "backend", "3"], actor.GetStringList("roles"));
    }

    [Fact]
    public void Defaults_apply_only_when_the_key_is_missing()
    {
        Assert.Equal(30, Sample.GetInt("akka.actor.throughput", 1));
        Assert.Equal(1, Sample.GetInt("akka.actor.nope", 1));
        Assert.Equal(7L, Sample.GetLong("akka.nope", 7));
        Assert.Equal(1.5, Sample.GetDouble("nope", 1.5));
        Assert.True(Sample.GetBoolean("nope", true));
        Assert.Equal(TimeSpan.FromMinutes(1), Sample.GetTimeSpan("nope", TimeSpan.FromMinutes(1)));
        Assert.Equal(99L, Sample.GetByteSize("nope", 99));
        Assert.Null(Sample.GetString("nope", null));
        Assert.Equal(["d"], Sample.GetStringList("nope", ["d"]));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("yes", true)]
    [InlineData("on", true)]
    [InlineData("false", false)]
    [InlineData("No", false)]
    [InlineData("off", false)]
    public void Booleans_accept_common_spellings(string text, bool expected)
    {
        Assert.Equal(expected, HoconText.Parse($"flag = {text}").GetBoolean("flag"));
    }

    [Fact]
    public void Missing_key_names_the_full_path_even_through_a_sub_config()
    {
        var remote = Sample.GetConfig("akka").GetConfig("remote");

        var error = Assert.Throws<ConfigurationException>(() => remote.GetInt("port"));

        Assert.Equal("Missing configuration key 'akka.remote.port'.", error.Message);
        Assert.Equal("akka.remote.port", error.Path);
        Assert.True(remote.IsEmpty);
    }

    [Fact]
    public void Wrong_type_names_key_expected_type_and_origin()
    {
        var error = Assert.Throws<ConfigurationException>(() => Sample.GetInt("akka.actor.nested"));

        Assert.Equal("Configuration key 'akka.actor.nested' at test.conf:12 is an object, but a 32-bit integer was expected.", error.Message);
    }

    [Fact]
    public void Unparseable_value_names_key_value_expected_format_and_origin()
    {
        var error = Assert.Throws<ConfigurationException>(() => Sample.GetTimeSpan("akka.actor.provider"));

        Assert.Equal(
            "Configuration key 'akka.actor.provider' at test.conf:10 has value 'local', which is not a duration (e.g. 5s, 100 ms, 2 minutes, infinite).",
            error.Message);
    }

    [Fact]
    public void Unparseable_secret_values_are_not_echoed()
    {
        var config = HoconText.Parse("telegram { bot-token = sk-12345-secret-value }");

        var error = Assert.Throws<ConfigurationException>(() => config.GetConfig("telegram").GetInt("bot-token"));

        Assert.DoesNotContain("sk-12345", error.Message);
        Assert.Contains("'telegram.bot-token'", error.Message);
    }

    [Fact]
    public void Non_scalar_list_element_is_reported_with_its_index()
    {
        var config = HoconText.Parse("list = [a, { b = 1 }]");

        var error = Assert.Throws<ConfigurationException>(() => config.GetStringList("list"));

        Assert.Equal("Configuration key 'list[1]' at test.conf:1 is an object, but a string was expected.", error.Message);
    }

    [Fact]
    public void Get_config_on_a_scalar_is_a_type_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => Sample.GetConfig("akka.actor.throughput"));

        Assert.Contains("is a number, but an object was expected", error.Message);
    }

    [Fact]
    public void Has_path_distinguishes_present_missing_and_nested()
    {
        Assert.True(Sample.HasPath("akka.actor"));
        Assert.True(Sample.HasPath("akka.actor.nested.x"));
        Assert.False(Sample.HasPath("akka.actor.nested.y"));
        Assert.False(Sample.HasPath("akka.actor.throughput.deeper"));
    }

    [Fact]
    public void With_fallback_lets_the_receiver_win_and_merges_objects()
    {
        var reference = HoconText.Parse("akka { loglevel = INFO, actor { timeout = 1s, size = 10 } }\nonly-in-reference = 1");
        var application = HoconText.Parse("akka { actor { timeout = 3s } }\nonly-in-app = 2");

        var effective = application.WithFallback(reference);

        Assert.Equal(TimeSpan.FromSeconds(3), effective.GetTimeSpan("akka.actor.timeout"));
        Assert.Equal(10, effective.GetInt("akka.actor.size"));
        Assert.Equal("INFO", effective.GetString("akka.loglevel"));
        Assert.Equal(1, effective.GetInt("only-in-reference"));
        Assert.Equal(2, effective.GetInt("only-in-app"));
        Assert.Equal(TimeSpan.FromSeconds(1), reference.GetTimeSpan("akka.actor.timeout"));
    }

    [Fact]
    public void With_fallback_chains_in_priority_order_and_null_overrides()
    {
        var first = HoconText.Parse("a = 1\nc = null");
        var second = HoconText.Parse("a = 2\nb = 2\nc = 3");
        var third = HoconText.Parse("b = 3\nd = 3");

        var effective = first.WithFallback(second).WithFallback(third);

        Assert.Equal(1, effective.GetInt("a"));
        Assert.Equal(2, effective.GetInt("b"));
        Assert.Equal(3, effective.GetInt("d"));
        Assert.False(effective.HasPath("c"));
        Assert.Same(first, first.WithFallback(Config.Empty));
    }

    [Fact]
    public void As_enumerable_lists_keys_with_values()
    {
        var keys = Sample.GetConfig("akka.actor").AsEnumerable().ToList();

        Assert.Equal("ask-timeout", keys[0].Key);
        Assert.Equal(10, keys.Count);
        Assert.IsType<HoconArray>(keys.Single(k => k.Key == "roles").Value);
    }

    [Fact]
    public void Empty_config_has_no_keys()
    {
        Assert.True(Config.Empty.IsEmpty);
        Assert.Same(Config.Empty, ConfigurationFactory.Empty);
        Assert.False(ConfigurationFactory.Empty.HasPath("anything"));
        Assert.Throws<ConfigurationException>(() => Config.Empty.GetString("anything"));
    }

    [Fact]
    public void Invalid_paths_are_rejected()
    {
        Assert.Throws<ConfigurationException>(() => Sample.GetString("akka..actor"));
        Assert.Throws<ConfigurationException>(() => Sample.GetString(""));
    }
}
