using Autopilot.Platforms.Telegram;
using Autopilot.Simulator.Telegram;
using Xunit;

namespace Autopilot.Platforms.Tests.Telegram;

public sealed class TelegramTextTests
{
    private const string Nasty = @"Deploy v1.2.3 failed! (exit -1) _x_ *y* [z] #42 a+b=c {k} |p| ~s~ `q` > C:\path";

    [Fact]
    public void MarkdownV2_escaping_covers_every_reserved_character_and_the_backslash()
    {
        Assert.Equal(@"a\_b\*c\[d\]e\(f\)g\~h\`i\>j\#k\+l\-m\=n\|o\{p\}q\.r\!s\\t", TelegramMarkdownV2.Escape(@"a_b*c[d]e(f)g~h`i>j#k+l-m=n|o{p}q.r!s\t"));
        Assert.Equal("plain words 123", TelegramMarkdownV2.Escape("plain words 123"));
    }

    [Fact]
    public void MarkdownV2_escaped_text_parses_back_to_the_original_as_telegram_would()
    {
        Assert.Equal(Nasty, TelegramMarkupParser.ToPlainText(TelegramMarkdownV2.Escape(Nasty), "MarkdownV2"));
        var formatted = $"*{TelegramMarkdownV2.Escape("svc.api")}* `{TelegramMarkdownV2.EscapeCode("a`b\\c")}` [log]({TelegramMarkdownV2.EscapeLinkUrl("https://x/(1)")})";
        Assert.Equal("svc.api a`b\\c log", TelegramMarkupParser.ToPlainText(formatted, "MarkdownV2"));
    }

    [Fact]
    public void Unescaped_markdownv2_is_rejected_like_the_bot_api_does()
    {
        var error = Assert.Throws<TelegramMarkupException>(() => TelegramMarkupParser.ToPlainText("Deploy v1.2 failed", "MarkdownV2"));
        Assert.Contains("Character '.' is reserved", error.Message);
        Assert.Throws<TelegramMarkupException>(() => TelegramMarkupParser.ToPlainText("*bold never closed", "MarkdownV2"));
    }

    [Fact]
    public void Html_escaping_keeps_tags_and_ampersands_literal()
    {
        Assert.Equal("&lt;b&gt;1 &amp;&amp; 2&lt;/b&gt;", TelegramHtml.Escape("<b>1 && 2</b>"));
        Assert.Equal("say &quot;hi&quot; &lt;", TelegramHtml.EscapeAttribute("say \"hi\" <"));
        var formatted = $"<b>{TelegramHtml.Escape("<script> & co")}</b> <a href=\"{TelegramHtml.EscapeAttribute("https://x/?a=1&b=\"2\"")}\">{TelegramHtml.Escape(Nasty)}</a>";
        Assert.Equal("<script> & co " + Nasty, TelegramMarkupParser.ToPlainText(formatted, "HTML"));
        Assert.Throws<TelegramMarkupException>(() => TelegramMarkupParser.ToPlainText("1 < 2 <x>", "HTML"));
    }

    [Fact]
    public void Short_text_is_one_part()
    {
        Assert.Equal(["hello"], TelegramMessageSplitter.Split("hello", TelegramParseMode.None));
        Assert.Throws<ArgumentException>(() => TelegramMessageSplitter.Split("", TelegramParseMode.None));
    }

    [Fact]
    public void Long_text_is_split_on_line_boundaries_and_loses_nothing_but_the_breaks()
    {
        var lines = Enumerable.Range(0, 400).Select(i => $"line {i:D3} " + new string('x', i % 37)).ToArray();
        var text = string.Join('\n', lines);

        var parts = TelegramMessageSplitter.Split(text, TelegramParseMode.None);

        Assert.True(parts.Count > 1);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, TelegramMessageSplitter.MaxMessageLength));
        Assert.Equal(text, string.Join('\n', parts));
        Assert.All(parts, p => Assert.StartsWith("line ", p)); // every part begins at a line start
    }

    [Fact]
    public void A_single_overlong_line_is_cut_hard_within_the_limit()
    {
        var text = new string('a', 5000);

        var parts = TelegramMessageSplitter.Split(text, TelegramParseMode.None, maxLength: 4096);

        Assert.Equal([4096, 904], parts.Select(p => p.Length));
        Assert.Equal(text, string.Concat(parts));
    }

    [Fact]
    public void Hard_cuts_never_separate_a_markdownv2_escape_from_its_character()
    {
        // 19 characters then "\." straddling the limit of 20.
        var text = new string('a', 19) + @"\." + new string('b', 10);

        var parts = TelegramMessageSplitter.Split(text, TelegramParseMode.MarkdownV2, maxLength: 20);

        Assert.Equal(new string('a', 19), parts[0]);
        Assert.StartsWith(@"\.", parts[1]);
        Assert.All(parts, p => TelegramMarkupParser.ToPlainText(p, "MarkdownV2"));
    }

    [Fact]
    public void Hard_cuts_never_split_an_html_entity_or_tag_or_a_surrogate_pair()
    {
        var entity = TelegramMessageSplitter.Split(new string('a', 17) + "&amp;" + new string('b', 10), TelegramParseMode.Html, maxLength: 20);
        Assert.Equal(new string('a', 17), entity[0]);
        Assert.StartsWith("&amp;", entity[1]);

        var tag = TelegramMessageSplitter.Split(new string('a', 18) + "<b>x</b>" + new string('b', 10), TelegramParseMode.Html, maxLength: 20);
        Assert.Equal(new string('a', 18), tag[0]);
        Assert.StartsWith("<b>x</b>", tag[1]);

        var emoji = TelegramMessageSplitter.Split(new string('a', 19) + "😀" + "tail", TelegramParseMode.None, maxLength: 20);
        Assert.Equal(new string('a', 19), emoji[0]);
        Assert.StartsWith("😀", emoji[1]);
    }

    public static TheoryData<string, string, string, string> LongEntities => new()
    {
        // parse mode, opening markup, closing markup, separator between repeated chunks
        { "HTML", "<b>", "</b>", " " },
        { "HTML", "<b>", "</b>", "\n" },
        { "HTML", "<pre>", "</pre>", "\n" },
        { "HTML", "<pre>", "</pre>", " " },
        { "HTML", "<pre><code class=\"language-python\">", "</code></pre>", "\n" },
        { "HTML", "<i><u>", "</u></i>", " " },
        { "HTML", "<a href=\"https://example.com/run?id=1&amp;x=2\">", "</a>", " " },
        { "MarkdownV2", "*", "*", " " },
        { "MarkdownV2", "*", "*", "\n" },
        { "MarkdownV2", "_*", "*_", " " },
        { "MarkdownV2", "```\n", "```", "\n" },
        { "MarkdownV2", "```csharp\n", "```", "\n" },
        { "MarkdownV2", "```\n", "```", " " },
        { "MarkdownV2", "`", "`", " " },
        { "MarkdownV2", "||", "||", " " },
    };

    [Theory]
    [MemberData(nameof(LongEntities))]
    public void A_long_message_inside_an_entity_is_cut_into_parts_that_each_parse_on_their_own(string parseMode, string open, string close, string separator)
    {
        var mode = parseMode == "HTML" ? TelegramParseMode.Html : TelegramParseMode.MarkdownV2;
        var inCode = open.Contains('`') || open.Contains("pre");
        var chunks = Enumerable.Range(0, 400).Select(i => inCode ? $"step {i:D3} took {i}ms" : $"step {i:D3} took {i}ms").ToArray();
        var escaped = chunks.Select(c => mode == TelegramParseMode.Html ? TelegramHtml.Escape(c) : inCode ? c : TelegramMarkdownV2.Escape(c));
        var text = "Report " + open + string.Join(separator, escaped) + close + " end";
        Assert.True(text.Length > 5000);
        var wholePlain = TelegramMarkupParser.ToPlainText(text, parseMode);

        var parts = TelegramMessageSplitter.Split(text, mode);

        Assert.True(parts.Count > 1);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, TelegramMessageSplitter.MaxMessageLength));
        var plains = parts.Select(p => TelegramMarkupParser.ToPlainText(p, parseMode)).ToArray(); // throws on any malformed part
        var joined = separator == "\n" ? string.Join('\n', plains) : string.Concat(plains);
        Assert.Equal(wholePlain, joined);
        Assert.All(parts.Skip(1), p => Assert.StartsWith(open.Split('\n')[0], p)); // the entity is reopened in each later part
    }

    [Theory]
    [InlineData("<b>alert", "Can't find end tag")]
    [InlineData("<pre>line one\nline two", "Can't find end tag")]
    [InlineData("*alert", "Can't find end of the entity")]
    [InlineData("```\ncode", "Can't find end of the entity")]
    public void The_fake_rejects_entities_that_are_not_closed(string text, string description)
    {
        var error = Assert.Throws<TelegramMarkupException>(() => TelegramMarkupParser.ToPlainText(text, text.StartsWith('<') ? "HTML" : "MarkdownV2"));

        Assert.StartsWith(description, error.Message);
    }
}
