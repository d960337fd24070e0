using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Autopilot.Platforms.Railway;

/// <summary>
/// Maps a C# enum to Railway's SCREAMING_SNAKE_CASE GraphQL enum values (<c>NeedsApproval</c> ↔
/// <c>NEEDS_APPROVAL</c>). A value the server adds later reads as the enum's <c>Unknown</c> member instead of
/// failing the whole response; writing <c>Unknown</c> is refused because the server would reject it.
/// </summary>
public sealed class RailwayEnumConverter<TEnum> : JsonConverter<TEnum> where TEnum : struct, Enum
{
    private static readonly TEnum UnknownValue = Enum.Parse<TEnum>("Unknown");

    private readonly FrozenDictionary<string, TEnum> _byWireName;
    private readonly FrozenDictionary<TEnum, string> _byValue;

    /// <summary>Builds the name tables from the enum's members.</summary>
    public RailwayEnumConverter()
    {
        var members = Enum.GetValues<TEnum>().Where(v => !v.Equals(UnknownValue)).ToArray();
        _byValue = members.ToFrozenDictionary(v => v, v => ToWireName(v.ToString()));
        _byWireName = members.ToFrozenDictionary(v => ToWireName(v.ToString()), v => v, StringComparer.Ordinal);
    }

    /// <summary>The GraphQL name of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The value is <c>Unknown</c> or not a defined member.</exception>
    public string WireName(TEnum value) =>
        _byValue.TryGetValue(value, out var name)
            ? name
            : throw new ArgumentException($"{typeof(TEnum).Name}.{value} has no Railway equivalent and cannot be sent.", nameof(value));

    /// <summary>The enum member for a GraphQL name, or <c>Unknown</c>.</summary>
    public TEnum FromWireName(string? name) =>
        name is not null && _byWireName.TryGetValue(name, out var value) ? value : UnknownValue;

    /// <inheritdoc />
    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? FromWireName(reader.GetString())
            : throw new JsonException($"Expected a string for {typeof(TEnum).Name}, found {reader.TokenType}.");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) =>
        writer.WriteStringValue(WireName(value));

    private static string ToWireName(string pascal)
    {
        var builder = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i])) builder.Append('_');
            builder.Append(char.ToUpperInvariant(pascal[i]));
        }
        return builder.ToString();
    }
}
