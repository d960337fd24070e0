namespace Autopilot.Simulator.Telegram;

/// <summary>Markup the Bot API would refuse; the message becomes the "can't parse entities" description.</summary>
public sealed class TelegramMarkupException(string message) : Exception(message);
