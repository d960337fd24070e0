using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Autopilot.Cli.Rendering;

/// <summary>Reads fields of the daemon's JSON for tables, tolerating absent or null fields (shown as "-").</summary>
public static class JsonFields
{
    /// <summary>A field as display text, markup-escaped.</summary>
    public static string Text(this JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return "-";
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? "-",
            JsonValueKind.Null or JsonValueKind.Undefined => "-",
            JsonValueKind.True => "yes",
            JsonValueKind.False => "no",
            _ => value.GetRawText(),
        };
        return Markup.Escape(text);
    }

    /// <summary>A boolean field (false when absent).</summary>
    public static bool Flag(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>An array field (empty when absent).</summary>
    public static IEnumerable<JsonElement> Items(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : [];

    /// <summary>A timestamp field in local-independent, sortable form.</summary>
    public static string Time(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : "-";

    /// <summary>One line summarising an audit record: its event's fields except the timestamp.</summary>
    public static string Summary(this JsonElement record)
    {
        if (!record.TryGetProperty("event", out var fields) || fields.ValueKind != JsonValueKind.Object)
        {
            return "";
        }

        var parts = fields.EnumerateObject()
            .Where(p => p.Name != "at" && p.Value.ValueKind is not JsonValueKind.Null and not JsonValueKind.Object and not JsonValueKind.Array)
            .Select(p => $"{p.Name}={(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())}");
        return Markup.Escape(string.Join(" ", parts));
    }
}
