namespace Autopilot.Simulator.Telegram;

/// <summary>An inline keyboard button of a message the fake accepted.</summary>
/// <param name="Text">The label.</param>
/// <param name="CallbackData">What pressing it sends back.</param>
public sealed record TelegramFakeButton(string Text, string CallbackData);
