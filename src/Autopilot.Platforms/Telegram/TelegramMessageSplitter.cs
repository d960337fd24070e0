namespace Autopilot.Platforms.Telegram;

/// <summary>
/// Splits text longer than one Bot API message into several messages. Cuts fall on line breaks whenever a
/// line fits, so alerts stay readable; a single over-long line is cut hard, but never through a MarkdownV2
/// escape (<c>\.</c>), an HTML entity or tag, or a UTF-16 surrogate pair — any of which would make Telegram
/// reject the part. Formatting that spans a cut is not re-balanced: keep entities within a line.
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

        var parts = new List<string>();
        var start = 0;
        while (text.Length - start > maxLength)
        {
            var cut = LastLineBreakWithin(text, start, maxLength);
            int next;
            if (cut >= start)
            {
                next = cut + 1; // the line break itself is dropped: each part already ends a line
            }
            else
            {
                cut = SafeHardCut(text, start, start + maxLength, parseMode);
                next = cut;
            }

            AddPart(parts, text[start..cut]);
            start = next;
        }

        AddPart(parts, text[start..]);
        if (parts.Count == 0)
        {
            throw new ArgumentException("A Telegram message needs at least one visible character.", nameof(text));
        }

        return parts;
    }

    private static void AddPart(List<string> parts, string part)
    {
        // Telegram rejects blank messages, so runs of empty lines at a cut are not sent on their own.
        if (!string.IsNullOrWhiteSpace(part))
        {
            parts.Add(part);
        }
    }

    /// <summary>Index of the last '\n' such that the text before it fits, or -1.</summary>
    private static int LastLineBreakWithin(string text, int start, int maxLength)
    {
        var limit = Math.Min(text.Length - 1, start + maxLength);
        return text.LastIndexOf('\n', limit, limit - start + 1);
    }

    /// <summary>Moves a cut at <paramref name="cut"/> backwards until it splits no escape, entity, tag or surrogate pair.</summary>
    private static int SafeHardCut(string text, int start, int cut, TelegramParseMode parseMode)
    {
        var minimum = start + 1;
        if (char.IsLowSurrogate(text[cut]) && cut - 1 >= minimum)
        {
            cut--;
        }

        switch (parseMode)
        {
            case TelegramParseMode.MarkdownV2:
                // A cut right after an odd run of backslashes would orphan the escape from its character.
                var backslashes = 0;
                while (cut - 1 - backslashes >= start && text[cut - 1 - backslashes] == '\\')
                {
                    backslashes++;
                }

                if (backslashes % 2 == 1 && cut - 1 >= minimum)
                {
                    cut--;
                }

                break;
            case TelegramParseMode.Html:
                // Inside "<...>" or "&...;" when the last '<' or '&' before the cut has not been closed yet.
                var open = text.LastIndexOfAny(['<', '&'], cut - 1, cut - start);
                if (open >= minimum)
                {
                    var closer = text[open] == '<' ? '>' : ';';
                    var close = text.IndexOf(closer, open, cut - open);
                    if (close < 0)
                    {
                        cut = open;
                    }
                }

                break;
        }

        return cut;
    }
}
