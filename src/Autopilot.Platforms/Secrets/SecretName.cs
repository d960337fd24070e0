using System.Text.RegularExpressions;

namespace Autopilot.Platforms.Secrets;

/// <summary>
/// A validated secret name such as <c>telegram-bot-token</c>. The rules are Secret Manager's secret-id rules
/// (letters, digits, '-' and '_', at most 255), which every provider can map safely: they keep a name from
/// escaping a secrets directory or smuggling a path into a URL.
/// </summary>
public readonly partial record struct SecretName
{
    private SecretName(string value) => Value = value;

    /// <summary>The name as given, e.g. <c>n8n-api-key</c>.</summary>
    public string Value { get; }

    /// <summary>Validates <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, too long or has characters outside [A-Za-z0-9_-].</exception>
    public static SecretName Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ValidName().IsMatch(name))
        {
            throw new ArgumentException(
                $"Secret name '{name}' is invalid: use 1-255 letters, digits, '-' or '_'.", nameof(name));
        }

        return new SecretName(name);
    }

    /// <inheritdoc />
    public override string ToString() => Value;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,255}$")]
    private static partial Regex ValidName();
}
