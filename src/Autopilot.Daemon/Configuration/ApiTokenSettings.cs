using Autopilot.Agents.Configuration;

namespace Autopilot.Daemon.Configuration;

/// <summary>What a bearer token of the admin API may do. Each role includes the ones before it.</summary>
public enum ApiRole
{
    /// <summary>Read endpoints only.</summary>
    Viewer = 1,

    /// <summary>Also pause/resume, dry-run, drills and incident acknowledgement.</summary>
    Operator = 2,

    /// <summary>Everything, including manual rollback.</summary>
    Admin = 3,
}

/// <summary>One admin API token (<c>autopilot.api.tokens.&lt;name&gt;</c>).</summary>
/// <param name="Name">The key it was configured under; shown in the audit trail as who did something.</param>
/// <param name="Role">What it may do.</param>
/// <param name="Token">The secret value; never logged or rendered.</param>
public sealed record ApiTokenSettings(string Name, ApiRole Role, string Token)
{
    /// <summary>Never prints the token.</summary>
    public override string ToString() => $"ApiTokenSettings {{ Name = {Name}, Role = {Role} }}";

    /// <summary>Tokens shorter than this are refused at start: they could be guessed.</summary>
    public const int MinimumLength = 16;

    internal static IReadOnlyList<ApiTokenSettings> FromConfig(ConfigSection config)
    {
        var tokens = config.GetConfig("autopilot.api.tokens");
        var result = new List<ApiTokenSettings>();
        foreach (var name in tokens.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            var entry = tokens.GetConfig(HoconQuote(name));
            var roleKey = $"autopilot.api.tokens.{name}.role";
            var roleText = entry.GetString("role");
            if (!Enum.TryParse<ApiRole>(roleText, ignoreCase: true, out var role) || !Enum.IsDefined(role) || int.TryParse(roleText, out _))
            {
                throw new SettingException(roleKey, $"is '{roleText}', but one of viewer, operator, admin was expected.");
            }

            var token = entry.GetString("token", null);
            if (string.IsNullOrEmpty(token))
            {
                continue;
            }

            var tokenKey = $"autopilot.api.tokens.{name}.token";
            if (token.Length < MinimumLength)
            {
                throw new SettingException(tokenKey, $"is too short: use at least {MinimumLength} random characters.");
            }

            result.Add(new ApiTokenSettings(name, role, token));
        }

        return result;
    }

    private static string HoconQuote(string key) => key.Contains('.') ? $"\"{key}\"" : key;
}
