namespace Autopilot.Platforms.Telegram;

/// <summary>
/// How the Bot API should interpret markup in a message's text. The choice decides which escaping
/// (<see cref="TelegramMarkdownV2"/> or <see cref="TelegramHtml"/>) callers must apply to untrusted text.
/// </summary>
public enum TelegramParseMode
{
    /// <summary>Text is sent verbatim; no characters are special.</summary>
    None,

    /// <summary>The Bot API's HTML subset (<c>&lt;b&gt;</c>, <c>&lt;i&gt;</c>, <c>&lt;code&gt;</c>, ...).</summary>
    Html,

    /// <summary>The Bot API's MarkdownV2 dialect, where every reserved character must be escaped.</summary>
    MarkdownV2,
}
