using Autopilot.Actors.Configuration;
using Autopilot.Actors.Configuration.Rendering;
using Xunit;

namespace Autopilot.Actors.Tests.Configuration;

public class HoconRendererTests
{
    private static readonly Config Effective = HoconText.Parse("""
        daemon {
          name = "autopilot \"prod\""
          port = 8080
          enabled = true
          nothing = null
          tags = [a, "b c"]
          telegram { bot-token = "123:ABC", chat-id = 42 }
          db { password = hunter2, host = db.internal }
          api-key = k-999
          clientSecret = s-1
          credentials { user = u, pass = p }
          webhooks = [{ url = "https://hooks/1" }, { url = "https://hooks/2" }]
          empty {}
        }
        """);

    [Fact]
    public void Secret_looking_keys_are_masked_and_everything_else_is_shown()
    {
        var text = HoconRenderer.Render(Effective);

        Assert.DoesNotContain("123:ABC", text);
        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain("k-999", text);
        Assert.DoesNotContain("s-1", text);
        Assert.Contains("bot-token = \"<masked>\"", text);
        Assert.Contains("chat-id = 42", text);
        Assert.Contains("host = \"db.internal\"", text);
        Assert.Contains("name = \"autopilot \\\"prod\\\"\"", text);
    }

    [Fact]
    public void Caller_supplied_paths_mask_whole_subtrees_and_support_wildcards()
    {
        var options = new HoconRenderOptions { MaskedPaths = ["daemon.credentials", "daemon.webhooks", "daemon.*.chat-id"] };

        var text = HoconRenderer.Render(Effective, options);

        Assert.DoesNotContain("u\"", text);
        Assert.DoesNotContain("https://hooks", text);
        Assert.DoesNotContain("42", text);
        Assert.Contains("user = \"<masked>\"", text);
        Assert.Contains("port = 8080", text);
    }

    [Fact]
    public void Rendered_text_parses_back_to_the_same_values_apart_from_masks()
    {
        var text = HoconRenderer.Render(Effective);

        var reparsed = HoconText.Parse(text);

        Assert.Equal("autopilot \"prod\"", reparsed.GetString("daemon.name"));
        Assert.Equal(8080, reparsed.GetInt("daemon.port"));
        Assert.True(reparsed.GetBoolean("daemon.enabled"));
        Assert.True(((HoconScalar)reparsed.GetValue("daemon.nothing")).IsNull);
        Assert.Equal(["a", "b c"], reparsed.GetStringList("daemon.tags"));
        Assert.Equal("db.internal", reparsed.GetString("daemon.db.host"));
        Assert.Equal(HoconRenderer.MaskText, reparsed.GetString("daemon.db.password"));
        Assert.Equal(2, ((HoconArray)reparsed.GetValue("daemon.webhooks")).Count);
        Assert.True(reparsed.GetConfig("daemon.empty").IsEmpty);
        Assert.True(reparsed.HasPath("daemon.empty"));
    }

    [Fact]
    public void Origins_can_be_shown_per_value()
    {
        var text = HoconRenderer.Render(Effective, new HoconRenderOptions { ShowOrigins = true });

        Assert.Contains("port = 8080 # test.conf:3", text);
    }

    [Fact]
    public void Sub_configs_render_relative_but_match_masks_on_absolute_paths()
    {
        var db = Effective.GetConfig("daemon.db");

        var text = HoconRenderer.Render(db, new HoconRenderOptions { MaskedPaths = ["daemon.db.host"] });

        Assert.Equal("password = \"<masked>\"\nhost = \"<masked>\"\n", text);
    }

    [Fact]
    public void To_string_is_masked_so_logging_a_config_is_safe()
    {
        Assert.DoesNotContain("hunter2", Effective.ToString());
        Assert.Contains("port = 8080", Effective.ToString());
    }
}
