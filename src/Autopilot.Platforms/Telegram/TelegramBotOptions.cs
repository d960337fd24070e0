using Autopilot.Platforms.Http;

namespace Autopilot.Platforms.Telegram;

/// <summary>How to reach the Bot API as one bot.</summary>
/// <param name="Token">The bot token (<c>123456:ABC…</c>). It travels in the URL path, so it is registered with the redactor and <see cref="ToString"/> omits it.</param>
/// <param name="BaseAddress">API root; defaults to <see cref="TelegramPlatform.DefaultBaseAddress"/>.</param>
/// <param name="Call">Retry and timeout policy; defaults to <see cref="PlatformCallOptions.Default"/>.</param>
public sealed record TelegramBotOptions(string Token, Uri? BaseAddress = null, PlatformCallOptions? Call = null)
{
    /// <summary>Describes the options without the token.</summary>
    public override string ToString() => $"TelegramBotOptions {{ BaseAddress = {BaseAddress ?? TelegramPlatform.DefaultBaseAddress} }}";
}
