using System.Security.Cryptography;
using Autopilot.Daemon.Http.Auth;

namespace Autopilot.Daemon.Http.Webhooks;

/// <summary>
/// Authentication of Telegram's webhook: the <c>secret_token</c> given to <c>setWebhook</c> comes back in the
/// <c>X-Telegram-Bot-Api-Secret-Token</c> header of every delivery; compared in constant time (hashes of equal length).
/// </summary>
internal static class TelegramSecretToken
{
    /// <summary>The header Telegram sets.</summary>
    public const string HeaderName = "X-Telegram-Bot-Api-Secret-Token";

    /// <summary>True when <paramref name="presented"/> is <paramref name="secret"/>.</summary>
    public static bool Matches(string? presented, string secret) =>
        !string.IsNullOrEmpty(presented)
        && CryptographicOperations.FixedTimeEquals(ApiTokenAuthenticator.Hash(presented), ApiTokenAuthenticator.Hash(secret));
}
