using System.Globalization;

namespace Autopilot.Platforms.Telegram;

/// <summary>
/// Who a message goes to: a numeric chat id (users, groups; negative for groups and channels) or a public
/// channel's <c>@username</c>. The Bot API accepts either in <c>chat_id</c>.
/// </summary>
public readonly record struct TelegramChatId
{
    private TelegramChatId(long? id, string? username)
    {
        Id = id;
        Username = username;
    }

    /// <summary>The numeric id, when this is one.</summary>
    public long? Id { get; }

    /// <summary>The <c>@username</c>, when this is one.</summary>
    public string? Username { get; }

    /// <summary>A numeric chat id.</summary>
    public static TelegramChatId FromId(long id) => new(id, null);

    /// <summary>A public channel or supergroup username, with its leading '@'.</summary>
    /// <exception cref="ArgumentException">Not of the form <c>@name</c>.</exception>
    public static TelegramChatId FromUsername(string username)
    {
        ArgumentNullException.ThrowIfNull(username);
        if (username.Length < 2 || username[0] != '@' || !username.Skip(1).All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException($"'{username}' is not a chat username like '@my_channel'.", nameof(username));
        }

        return new TelegramChatId(null, username);
    }

    /// <summary>Reads configuration text: a number is an id, anything else must be an <c>@username</c>.</summary>
    public static TelegramChatId Parse(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) ? FromId(id) : FromUsername(text);

    /// <summary>The value as it appears in <c>chat_id</c>.</summary>
    public override string ToString() => Id?.ToString(CultureInfo.InvariantCulture) ?? Username ?? "";
}
