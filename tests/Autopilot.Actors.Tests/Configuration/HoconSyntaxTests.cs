using Xunit;
using System.Text;
using Autopilot.Actors.Configuration;

namespace Autopilot.Actors.Tests.Configuration;

public class HoconSyntaxTests
{
    [Fact]
    public void Objects_can_be_written_with_braces_equals_or_colon()
    {
        var config = HoconText.Parse("a { x = 1 }\nb = { y = 2 }\nc : { z = 3 }\nd: 4\n");

        Assert.Equal(1, config.GetInt("a.x"));
        Assert.Equal(2, config.GetInt("b.y"));
        Assert.Equal(3, config.GetInt("c.z"));
        Assert.Equal(4, config.GetInt("d"));
    }

    [Fact]
    public void Dotted_keys_create_nested_objects_that_merge_with_brace_blocks()
    {
        var config = HoconText.Parse("a.b.c = 1\na { b { d = 2 }, e = 3 }\na.b.f = 4");

        Assert.Equal(1, config.GetInt("a.b.c"));
        Assert.Equal(2, config.GetInt("a.b.d"));
        Assert.Equal(3, config.GetInt("a.e"));
        Assert.Equal(4, config.GetInt("a.b.f"));
        Assert.Equal(["c", "d", "f"], config.GetConfig("a.b").AsEnumerable().Select(kv => kv.Key));
    }

    [Fact]
    public void Json_documents_with_a_braced_root_parse()
    {
        var config = HoconText.Parse("{ \"a\": { \"b\": [1, 2, 3] }, \"c\": \"x\", \"d\": true, \"e\": null }");

        Assert.Equal(["1", "2", "3"], config.GetStringList("a.b"));
        Assert.Equal("x", config.GetString("c"));
        Assert.True(config.GetBoolean("d"));
        Assert.False(config.HasPath("e"));
    }

    [Fact]
    public void Arrays_accept_newlines_commas_trailing_comma_and_nested_values()
    {
        var config = HoconText.Parse("""
            list = [
              one
              "two",
              3,
            ]
            nested = [[1, 2], { name = x, port = 80 }]
            empty = []
            """);

        Assert.Equal(["one", "two", "3"], config.GetStringList("list"));
        var nested = Assert.IsType<HoconArray>(config.GetValue("nested"));
        Assert.Equal(2, Assert.IsType<HoconArray>(nested[0]).Count);
        var server = Assert.IsType<HoconObject>(nested[1]);
        Assert.Equal("80", ((HoconScalar)server["port"]).Text);
        Assert.Empty(config.GetStringList("empty"));
    }

    [Fact]
    public void Hash_and_double_slash_comments_are_ignored_but_not_inside_quotes()
    {
        var config = HoconText.Parse("""
            # leading comment
            a = 1 # trailing
            // another
            b = 2 // trailing too
            url = "http://example.com/#frag"
            """);

        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal(2, config.GetInt("b"));
        Assert.Equal("http://example.com/#frag", config.GetString("url"));
        Assert.Equal(["a", "b", "url"], config.AsEnumerable().Select(kv => kv.Key));
    }

    [Fact]
    public void Unquoted_strings_keep_inner_whitespace_and_dots()
    {
        var config = HoconText.Parse("greeting = hello   big world  \nhost = 10.0.0.1\nversion = 1.2.3-beta");

        Assert.Equal("hello   big world", config.GetString("greeting"));
        Assert.Equal("10.0.0.1", config.GetString("host"));
        Assert.Equal("1.2.3-beta", config.GetString("version"));
    }

    [Fact]
    public void Quoted_strings_decode_escapes()
    {
        var config = HoconText.Parse("s = \"tab\\there \\\"q\\\" \\u0041 back\\\\slash \\/ line\\nnext\"");

        Assert.Equal("tab\there \"q\" A back\\slash / line\nnext", config.GetString("s"));
    }

    [Fact]
    public void Triple_quoted_strings_span_lines_and_keep_quotes_and_backslashes_verbatim()
    {
        var config = HoconText.Parse("text = \"\"\"line \"one\"\nC:\\path\n\"\"\"\nquotes = \"\"\"x\"\"\"\"\"\nafter = 1");

        Assert.Equal("line \"one\"\nC:\\path\n", config.GetString("text"));
        Assert.Equal("x\"\"", config.GetString("quotes"));
        Assert.Equal(1, config.GetInt("after"));
    }

    [Fact]
    public void Adjacent_values_concatenate_into_one_string_preserving_whitespace()
    {
        var config = HoconText.Parse("name = baz\nfull = \"foo\" bar  ${name}\"!\"\nnumbers = 1 2");

        Assert.Equal("foo bar  baz!", config.GetString("full"));
        Assert.Equal("1 2", config.GetString("numbers"));
    }

    [Fact]
    public void Duplicate_keys_merge_objects_and_let_later_scalars_win()
    {
        var config = HoconText.Parse("""
            server { host = a, port = 1 }
            server { port = 2, tls = on }
            level = info
            level = debug
            replaced = { x = 1 }
            replaced = flat
            upgraded = flat
            upgraded { y = 2 }
            """);

        Assert.Equal("a", config.GetString("server.host"));
        Assert.Equal(2, config.GetInt("server.port"));
        Assert.True(config.GetBoolean("server.tls"));
        Assert.Equal("debug", config.GetString("level"));
        Assert.Equal("flat", config.GetString("replaced"));
        Assert.Equal(2, config.GetInt("upgraded.y"));
    }

    [Fact]
    public void Null_is_a_value_that_reads_as_absent()
    {
        var config = HoconText.Parse("a = null\nb { c = 1 }\nb = null");

        Assert.False(config.HasPath("a"));
        Assert.True(Assert.IsType<HoconScalar>(config.GetValue("a")).IsNull);
        Assert.Equal("fallback", config.GetString("a", "fallback"));
        Assert.False(config.HasPath("b"));
        var error = Assert.Throws<ConfigurationException>(() => config.GetString("a"));
        Assert.Contains("'a' is null at test.conf:1", error.Message);
    }

    [Fact]
    public void Unquoted_literals_keep_their_kind()
    {
        var config = HoconText.Parse("n = -12.5e3\nb = false\ns = \"42\"\nu = 42x\nz = null");

        Assert.Equal(HoconScalarKind.Number, ((HoconScalar)config.GetValue("n")).Kind);
        Assert.Equal(HoconScalarKind.Boolean, ((HoconScalar)config.GetValue("b")).Kind);
        Assert.Equal(HoconScalarKind.String, ((HoconScalar)config.GetValue("s")).Kind);
        Assert.Equal(HoconScalarKind.String, ((HoconScalar)config.GetValue("u")).Kind);
        Assert.Equal(HoconScalarKind.Null, ((HoconScalar)config.GetValue("z")).Kind);
        Assert.Equal(-12500d, config.GetDouble("n"));
        Assert.Equal(42, config.GetInt("s"));
    }

    [Fact]
    public void Plus_equals_appends_to_an_array_or_starts_one()
    {
        var config = HoconText.Parse("seeds = [a]\nseeds += b\nseeds += [c]\nfresh += x");

        var seeds = Assert.IsType<HoconArray>(config.GetValue("seeds"));
        Assert.Equal(["a", "b"], seeds.Take(2).Select(v => ((HoconScalar)v).Text));
        Assert.Equal("c", ((HoconScalar)Assert.IsType<HoconArray>(seeds[2])[0]).Text);
        Assert.Equal(["x"], config.GetStringList("fresh"));
    }

    [Fact]
    public void Quoted_key_segments_may_contain_dots()
    {
        var config = HoconText.Parse("hosts { \"db.internal\" = 5432 }\n\"a.b\".c = 1");

        Assert.Equal(5432, config.GetInt("hosts.\"db.internal\""));
        Assert.Equal(1, config.GetInt("\"a.b\".c"));
        Assert.False(config.HasPath("a.b.c"));
    }

    [Fact]
    public void Objects_and_arrays_concatenate_by_merging_and_appending()
    {
        var config = HoconText.Parse("""
            base { x = 1, y = 2 }
            derived = ${base} { y = 3 }
            both = [1] [2]
            more = ${both} [3]
            """);

        Assert.Equal(1, config.GetInt("derived.x"));
        Assert.Equal(3, config.GetInt("derived.y"));
        Assert.Equal(2, config.GetInt("base.y"));
        Assert.Equal(["1", "2", "3"], config.GetStringList("more"));
    }

    [Fact]
    public void Key_order_follows_first_appearance()
    {
        var config = HoconText.Parse("zeta = 1\nalpha = 2\nmid = 3\nzeta = 4");

        Assert.Equal(["zeta", "alpha", "mid"], config.AsEnumerable().Select(kv => kv.Key));
        Assert.Equal(4, config.GetInt("zeta"));
    }

    [Fact]
    public void A_five_hundred_line_file_parses_completely()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            text.Append("service-").Append(i).Append(" {\n")
                .Append("  port = ").Append(8000 + i).Append('\n')
                .Append("  timeout = ").Append(i).Append("s # per service\n")
                .Append("  tags = [a, b, \"c\"]\n")
                .Append("}\n");
        }

        var config = HoconText.Parse(text.ToString());

        Assert.Equal(100, config.Root.Count);
        Assert.Equal(8099, config.GetInt("service-99.port"));
        Assert.Equal(TimeSpan.FromSeconds(42), config.GetTimeSpan("service-42.timeout"));
    }
}
