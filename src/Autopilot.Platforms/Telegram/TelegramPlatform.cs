namespace Autopilot.Platforms.Telegram;

/// <summary>Constants of the Telegram adapter.</summary>
public static class TelegramPlatform
{
    /// <summary>The platform name reported in exceptions and <see cref="Http.PlatformCall"/>s.</summary>
    public const string Name = "telegram";

    /// <summary>The public Bot API endpoint.</summary>
    public static readonly Uri DefaultBaseAddress = new("https://api.telegram.org/");
}
