using System.Text;

namespace Autopilot.Simulator.Telegram;

/// <summary>
/// Parses message text the way the Bot API does before storing it: markup is removed and what remains is the
/// text a user sees. Misuse that Telegram rejects — a bare reserved MarkdownV2 character, an unknown or
/// unbalanced HTML tag, an unterminated entity — raises <see cref="TelegramMarkupException"/> with a
/// description in Telegram's words, so clients' escaping is tested against the same strictness.
/// </summary>
public static class TelegramMarkupParser
{
    private static readonly HashSet<string> HtmlTags =
        ["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"];

    /// <summary>Returns the visible text of <paramref name="text"/> under <paramref name="parseMode"/> (null or empty: plain).</summary>
    /// <exception cref="TelegramMarkupException">The markup is invalid.</exception>
    /// <exception cref="ArgumentException">The parse mode is not one Telegram supports.</exception>
    public static string ToPlainText(string text, string? parseMode) => parseMode?.ToLowerInvariant() switch
    {
        null or "" => text,
        "html" => ParseHtml(text),
        "markdownv2" => ParseMarkdownV2(text),
        _ => throw new ArgumentException($"unsupported parse_mode '{parseMode}'", nameof(parseMode)),
    };

    private static string ParseMarkdownV2(string text)
    {
        var plain = new StringBuilder(text.Length);
        var open = new Stack<(string Marker, int Offset)>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            switch (c)
            {
                case '\\':
                    if (i + 1 < text.Length)
                    {
                        plain.Append(text[i + 1]);
                        i += 2;
                    }
                    else
                    {
                        throw Reserved(c);
                    }

                    continue;
                case '`':
                    i = ReadCode(text, i, plain);
                    continue;
                case '*' or '~':
                    Toggle(open, c.ToString(), ByteOffset(text, i));
                    i++;
                    continue;
                case '_':
                    var underline = i + 1 < text.Length && text[i + 1] == '_';
                    Toggle(open, underline ? "__" : "_", ByteOffset(text, i));
                    i += underline ? 2 : 1;
                    continue;
                case '|':
                    if (i + 1 < text.Length && text[i + 1] == '|')
                    {
                        Toggle(open, "||", ByteOffset(text, i));
                        i += 2;
                        continue;
                    }

                    throw Reserved(c);
                case '[':
                    open.Push(("[", ByteOffset(text, i)));
                    i++;
                    continue;
                case ']':
                    if (open.Count == 0 || open.Peek().Marker != "[")
                    {
                        throw Reserved(c);
                    }

                    open.Pop();
                    i = SkipLinkUrl(text, i + 1);
                    continue;
                case '>' when i == 0 || text[i - 1] == '\n':
                    i++; // block quotation marker
                    continue;
                case '>' or '#' or '+' or '-' or '=' or '{' or '}' or '.' or '!' or '(' or ')':
                    throw Reserved(c);
                default:
                    plain.Append(c);
                    i++;
                    continue;
            }
        }

        if (open.Count > 0)
        {
            throw new TelegramMarkupException($"Can't find end of the entity starting at byte offset {open.Peek().Offset}");
        }

        return plain.ToString();
    }

    private static void Toggle(Stack<(string Marker, int Offset)> open, string marker, int offset)
    {
        if (open.Count > 0 && open.Peek().Marker == marker)
        {
            open.Pop();
        }
        else
        {
            open.Push((marker, offset));
        }
    }

    /// <summary>Reads <c>`code`</c> or <c>```pre```</c> starting at <paramref name="start"/>; only ` and \ are escaped inside.</summary>
    private static int ReadCode(string text, int start, StringBuilder plain)
    {
        var fence = text.AsSpan(start).StartsWith("```") ? "```" : "`";
        var i = start + fence.Length;
        if (fence == "```")
        {
            // An optional language name runs to the end of the opening line.
            var newline = text.IndexOf('\n', i);
            var closing = text.IndexOf("```", i, StringComparison.Ordinal);
            if (newline >= 0 && (closing < 0 || newline < closing) && !text.AsSpan(i, newline - i).ContainsAny(" \\`"))
            {
                i = newline + 1;
            }
        }

        while (i < text.Length)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                plain.Append(text[i + 1]);
                i += 2;
            }
            else if (text.AsSpan(i).StartsWith(fence))
            {
                return i + fence.Length;
            }
            else
            {
                plain.Append(text[i]);
                i++;
            }
        }

        throw new TelegramMarkupException($"Can't find end of the entity starting at byte offset {ByteOffset(text, start)}");
    }

    /// <summary>After a link label's ']' comes "(url)", in which only ')' and '\' are escaped.</summary>
    private static int SkipLinkUrl(string text, int i)
    {
        if (i >= text.Length || text[i] != '(')
        {
            throw new TelegramMarkupException($"Can't find end of the entity starting at byte offset {ByteOffset(text, i)}");
        }

        for (var j = i + 1; j < text.Length; j++)
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

        throw new TelegramMarkupException($"Can't find end of a URL at byte offset {ByteOffset(text, i)}");
    }

    private static string ParseHtml(string text)
    {
        var plain = new StringBuilder(text.Length);
        var open = new Stack<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '<')
            {
                var end = text.IndexOf('>', i);
                if (end < 0)
                {
                    throw new TelegramMarkupException($"Unclosed start tag at byte offset {ByteOffset(text, i)}");
                }

                var tag = text[(i + 1)..end].Trim();
                if (tag.StartsWith('/'))
                {
                    var name = tag[1..].Trim().ToLowerInvariant();
                    if (open.Count == 0 || open.Peek() != name)
                    {
                        throw new TelegramMarkupException($"Unmatched end tag at byte offset {ByteOffset(text, i)}, expected \"</{(open.Count == 0 ? "" : open.Peek())}>\", found \"</{name}>\"");
                    }

                    open.Pop();
                }
                else
                {
                    var name = tag.Split(' ', 2)[0].ToLowerInvariant();
                    if (!HtmlTags.Contains(name))
                    {
                        throw new TelegramMarkupException($"Unsupported start tag \"{name}\" at byte offset {ByteOffset(text, i)}");
                    }

                    open.Push(name);
                }

                i = end + 1;
            }
            else if (c == '&' && TryDecodeEntity(text, i, out var decoded, out var length))
            {
                plain.Append(decoded);
                i += length;
            }
            else
            {
                plain.Append(c);
                i++;
            }
        }

        if (open.Count > 0)
        {
            throw new TelegramMarkupException($"Can't find end tag corresponding to start tag \"{open.Peek()}\"");
        }

        return plain.ToString();
    }

    private static bool TryDecodeEntity(string text, int start, out string decoded, out int length)
    {
        foreach (var (entity, value) in new[] { ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"), ("&quot;", "\"") })
        {
            if (text.AsSpan(start).StartsWith(entity))
            {
                decoded = value;
                length = entity.Length;
                return true;
            }
        }

        decoded = "";
        length = 0;
        return false;
    }

    private static TelegramMarkupException Reserved(char c) =>
        new($"Character '{c}' is reserved and must be escaped with the preceding '\\'");

    private static int ByteOffset(string text, int index) => Encoding.UTF8.GetByteCount(text.AsSpan(0, index));
}
