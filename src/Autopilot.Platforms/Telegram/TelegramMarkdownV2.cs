using System.Text;

namespace Autopilot.Platforms.Telegram;

/// <summary>
/// Escaping for the Bot API's MarkdownV2 parse mode. Telegram rejects a whole message when one reserved
/// character is left bare ("can't parse entities"), so any text that did not come from us — error messages,
/// service names, URLs — must pass through these before being embedded in formatted markup.
/// </summary>
public static class TelegramMarkdownV2
{
    /// <summary>Characters that are markup anywhere in ordinary MarkdownV2 text (plus the escape character itself).</summary>
    public const string ReservedCharacters = "_*[]()~`>#+-=|{}.!\\";

    /// <summary>Escapes text so it renders literally in ordinary (non-code) MarkdownV2 content.</summary>
    public static string Escape(string text) => EscapeCharacters(text, ReservedCharacters);

    /// <summary>
    /// Escapes text placed inside a <c>`code`</c> or <c>```pre```</c> entity, where only the backtick and
    /// backslash are special.
    /// </summary>
    public static string EscapeCode(string text) => EscapeCharacters(text, "`\\");

    /// <summary>Escapes the URL part of an inline link <c>[label](url)</c>, where only <c>)</c> and backslash are special.</summary>
    public static string EscapeLinkUrl(string url) => EscapeCharacters(url, ")\\");

    private static string EscapeCharacters(string text, string special)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length + 16);
        foreach (var character in text)
        {
            if (special.Contains(character))
            {
                builder.Append('\\');
            }

            builder.Append(character);
        }

        return builder.ToString();
    }
}
