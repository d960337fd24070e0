using System.Text;

namespace Autopilot.Platforms.Telegram;

/// <summary>
/// Escaping for the Bot API's HTML parse mode. Telegram only understands the named entities
/// <c>&amp;lt;</c>, <c>&amp;gt;</c>, <c>&amp;amp;</c> and <c>&amp;quot;</c>; a bare <c>&lt;</c> or <c>&amp;</c> in
/// untrusted text makes it reject the whole message.
/// </summary>
public static class TelegramHtml
{
    /// <summary>Escapes text so it renders literally between HTML tags.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length + 16);
        foreach (var character in text)
        {
            switch (character)
            {
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '&': builder.Append("&amp;"); break;
                default: builder.Append(character); break;
            }
        }

        return builder.ToString();
    }

    /// <summary>Escapes a value placed inside a double-quoted attribute such as <c>&lt;a href="..."&gt;</c>.</summary>
    public static string EscapeAttribute(string value) => Escape(value).Replace("\"", "&quot;", StringComparison.Ordinal);
}
