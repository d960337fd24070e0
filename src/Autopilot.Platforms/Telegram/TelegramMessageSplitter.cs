using System.Text;

namespace Autopilot.Platforms.Telegram;

/// <summary>
/// Splits text longer than one Bot API message into several messages, each well-formed on its own. Cuts fall on
/// line breaks whenever a line fits, so alerts stay readable; a single over-long line is cut hard, but never
/// through a MarkdownV2 escape (<c>\.</c>), an HTML entity or tag, a link, or a UTF-16 surrogate pair. Formatting
/// that spans a cut (<c>&lt;b&gt;</c>, <c>&lt;pre&gt;</c>, <c>*bold*</c>, a <c>```</c> block …) is closed at the end
/// of the part and reopened, with the same opening markup (tag attributes, code language), at the start of the
/// next — otherwise Telegram refuses the part ("Can't find end tag", "Can't find end of the entity").
/// </summary>
public static class TelegramMessageSplitter
{
    /// <summary>The Bot API's limit on a message's text, in UTF-16 code units.</summary>
    public const int MaxMessageLength = 4096;

    /// <summary>Splits <paramref name="text"/> into parts of at most <paramref name="maxLength"/> characters.</summary>
    /// <exception cref="ArgumentException">The text is empty (Telegram refuses empty messages).</exception>
    public static IReadOnlyList<string> Split(string text, TelegramParseMode parseMode, int maxLength = MaxMessageLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 16);
        if (text.Length == 0)
        {
            throw new ArgumentException("A Telegram message needs at least one character of text.", nameof(text));
        }

        var tokens = Tokenize(text, parseMode);
        var parts = new List<string>();
        var open = new List<Entity>(); // entities open where the current part starts
        var index = 0;
        while (index < tokens.Count)
        {
            var prefix = string.Concat(open.Select(e => e.Opener));
            var stack = new List<Entity>(open);
            var length = prefix.Length;
            var visible = false;
            Cut? lastBreak = null, lastToken = null;
            var i = index;
            for (; i < tokens.Count; i++)
            {
                var token = tokens[i];
                var nextStack = Apply(stack, token);
                var closers = Closers(nextStack);
                if (length + token.Text.Length + closers > maxLength && i > index)
                {
                    break;
                }

                if (token.IsLineBreak && visible)
                {
                    // Cutting here drops the line break itself: each part already ends a line.
                    lastBreak = new Cut(i, i + 1, stack);
                }

                length += token.Text.Length;
                stack = nextStack;
                visible |= token.IsVisible;
                if (visible)
                {
                    lastToken = new Cut(i + 1, i + 1, stack);
                }
            }

            if (i == tokens.Count)
            {
                // The last part ends as the text does: markup the text itself left open is not repaired here.
                AddPart(parts, prefix, tokens, index, tokens.Count, [], visible);
                break;
            }

            var cut = lastBreak ?? lastToken ?? new Cut(i, i, stack);
            AddPart(parts, prefix, tokens, index, cut.End, cut.Open, visible);
            index = cut.Resume;
            open = cut.Open;
        }

        if (parts.Count == 0)
        {
            throw new ArgumentException("A Telegram message needs at least one visible character.", nameof(text));
        }

        return parts;
    }

    private sealed record Entity(string Key, string Opener, string Closer);

    /// <summary>An atom of markup or text. <see cref="Open"/>/<see cref="Close"/> change the stack of open entities.</summary>
    private sealed record Token(string Text, Entity? Open = null, string? Close = null, bool Toggle = false)
    {
        public bool IsLineBreak => Text == "\n" && Open is null && Close is null;

        public bool IsVisible => Open is null && Close is null && !string.IsNullOrWhiteSpace(Text);
    }

    /// <summary>A cut: the part ends before token <see cref="End"/>, the next resumes at <see cref="Resume"/> with <see cref="Open"/> reopened.</summary>
    private sealed record Cut(int End, int Resume, List<Entity> Open);

    private static List<Entity> Apply(List<Entity> stack, Token token)
    {
        if (token.Open is null && token.Close is null)
        {
            return stack;
        }

        var next = new List<Entity>(stack);
        if (token.Toggle && next.Count > 0 && next[^1].Key == token.Open!.Key)
        {
            next.RemoveAt(next.Count - 1);
        }
        else if (token.Open is not null)
        {
            next.Add(token.Open);
        }
        else
        {
            var at = next.FindLastIndex(e => e.Key == token.Close);
            if (at >= 0)
            {
                next.RemoveAt(at);
            }
        }

        return next;
    }

    private static int Closers(List<Entity> stack) => stack.Sum(e => e.Closer.Length);

    private static void AddPart(List<string> parts, string prefix, List<Token> tokens, int from, int to, List<Entity> open, bool visible)
    {
        // Telegram rejects blank messages, so runs of empty lines (or bare markup) at a cut are not sent on their own.
        if (!visible)
        {
            return;
        }

        var part = new StringBuilder(prefix);
        for (var i = from; i < to; i++)
        {
            part.Append(tokens[i].Text);
        }

        for (var i = open.Count - 1; i >= 0; i--)
        {
            part.Append(open[i].Closer);
        }

        parts.Add(part.ToString());
    }

    private static List<Token> Tokenize(string text, TelegramParseMode parseMode) => parseMode switch
    {
        TelegramParseMode.Html => TokenizeHtml(text),
        TelegramParseMode.MarkdownV2 => TokenizeMarkdownV2(text),
        _ => TokenizePlain(text, 0, text.Length, []),
    };

    private static List<Token> TokenizePlain(string text, int from, int to, List<Token> tokens)
    {
        for (var i = from; i < to; i++)
        {
            var length = char.IsHighSurrogate(text[i]) && i + 1 < to && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            tokens.Add(new Token(text.Substring(i, length)));
            i += length - 1;
        }

        return tokens;
    }

    private static List<Token> TokenizeHtml(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '<' && text.IndexOf('>', i) is var end and > 0)
            {
                var tag = text[i..(end + 1)];
                var inner = tag[1..^1].Trim();
                if (inner.StartsWith('/'))
                {
                    tokens.Add(new Token(tag, Close: inner[1..].Trim().ToLowerInvariant()));
                }
                else
                {
                    var name = inner.Split(' ', 2)[0].ToLowerInvariant();
                    tokens.Add(new Token(tag, Open: new Entity(name, tag, $"</{name}>")));
                }

                i = end + 1;
            }
            else if (c == '&' && text.IndexOf(';', i) is var semicolon and > 0 && semicolon - i <= 10)
            {
                tokens.Add(new Token(text[i..(semicolon + 1)]));
                i = semicolon + 1;
            }
            else
            {
                var length = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                tokens.Add(new Token(text.Substring(i, length)));
                i += length;
            }
        }

        return tokens;
    }

    private static List<Token> TokenizeMarkdownV2(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            switch (c)
            {
                case '\\' when i + 1 < text.Length:
                    var escaped = char.IsHighSurrogate(text[i + 1]) && i + 2 < text.Length ? 3 : 2;
                    tokens.Add(new Token(text.Substring(i, escaped)));
                    i += escaped;
                    continue;
                case '`':
                    i = TokenizeCode(text, i, tokens);
                    continue;
                case '*' or '~':
                    tokens.Add(Toggle(c.ToString()));
                    i++;
                    continue;
                case '_':
                    var marker = i + 1 < text.Length && text[i + 1] == '_' ? "__" : "_";
                    tokens.Add(Toggle(marker));
                    i += marker.Length;
                    continue;
                case '|' when i + 1 < text.Length && text[i + 1] == '|':
                    tokens.Add(Toggle("||"));
                    i += 2;
                    continue;
                case '[':
                    // A link is kept whole: its closing "](url)" cannot be repeated without knowing the URL at the cut.
                    var linkEnd = LinkEnd(text, i);
                    tokens.Add(new Token(text[i..linkEnd]));
                    i = linkEnd;
                    continue;
                default:
                    var length = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                    tokens.Add(new Token(text.Substring(i, length)));
                    i += length;
                    continue;
            }
        }

        return tokens;

        static Token Toggle(string marker) => new(marker, Open: new Entity(marker, marker, marker), Toggle: true);
    }

    /// <summary>Inline <c>`code`</c> or a <c>```lang</c> block: only <c>\`</c> and <c>\\</c> are escapes inside.</summary>
    private static int TokenizeCode(string text, int start, List<Token> tokens)
    {
        var fence = text.AsSpan(start).StartsWith("```") ? "```" : "`";
        var i = start + fence.Length;
        var opener = fence;
        if (fence == "```")
        {
            var newline = text.IndexOf('\n', i);
            var closing = text.IndexOf("```", i, StringComparison.Ordinal);
            if (newline >= 0 && (closing < 0 || newline < closing) && !text.AsSpan(i, newline - i).ContainsAny(" \\`"))
            {
                opener = text[start..(newline + 1)];
                i = newline + 1;
            }
        }

        var entity = new Entity(fence, opener, fence);
        tokens.Add(new Token(opener, Open: entity));
        while (i < text.Length)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                tokens.Add(new Token(text.Substring(i, 2)));
                i += 2;
            }
            else if (text.AsSpan(i).StartsWith(fence))
            {
                tokens.Add(new Token(fence, Close: fence));
                return i + fence.Length;
            }
            else
            {
                var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                tokens.Add(new Token(text.Substring(i, length)));
                i += length;
            }
        }

        return i;
    }

    private static int LinkEnd(string text, int start)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == ']' && i + 1 < text.Length && text[i + 1] == '(')
            {
                for (var j = i + 2; j < text.Length; j++)
                {
                    if (text[j] == '\\')
                    {
                        j++;
                    }
                    else if (text[j] == ')')
                    {
                        return j + 1;
                    }
                }

                return text.Length;
            }
        }

        return start + 1; // not a link: a lone '[' (Telegram will say it must be escaped)
    }
}
