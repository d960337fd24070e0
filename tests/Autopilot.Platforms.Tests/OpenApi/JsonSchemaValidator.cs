using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Autopilot.Platforms.Tests.OpenApi;

/// <summary>
/// Checks JSON against the subset of JSON Schema that OpenAPI 3.0 and Google discovery documents use:
/// <c>$ref</c>, <c>type</c>, <c>nullable</c>, <c>required</c>, <c>properties</c>, <c>additionalProperties</c>,
/// <c>items</c>, <c>enum</c>, <c>anyOf</c>/<c>oneOf</c>/<c>allOf</c>. Formats and numeric ranges are not checked:
/// the point is to catch a client or fake whose shapes drift from the published contract.
/// </summary>
public sealed class JsonSchemaValidator(Func<string, JsonNode> resolveReference)
{
    /// <summary>Returns every violation, each prefixed with the JSON path where it occurs.</summary>
    public IReadOnlyList<string> Validate(JsonNode? value, JsonNode schema)
    {
        var errors = new List<string>();
        Check(value, schema, "$", errors, depth: 0);
        return errors;
    }

    private void Check(JsonNode? value, JsonNode schemaNode, string path, List<string> errors, int depth)
    {
        if (depth > 64)
        {
            return; // recursive schemas: deep enough to have checked every real payload
        }

        var schema = Resolve(schemaNode);
        if (value is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true && schema["type"] is not null)
            {
                errors.Add($"{path}: null is not allowed");
            }

            return;
        }

        if (schema["allOf"] is JsonArray allOf)
        {
            foreach (var part in allOf)
            {
                Check(value, part!, path, errors, depth + 1);
            }
        }

        foreach (var alternatives in new[] { schema["anyOf"], schema["oneOf"] }.OfType<JsonArray>())
        {
            if (!alternatives.Any(alternative => Passes(value, alternative!, path, depth)))
            {
                errors.Add($"{path}: matches none of the alternatives");
            }
        }

        var type = schema["type"]?.GetValue<string>();
        if (type is not null && !HasType(value, type))
        {
            errors.Add($"{path}: expected {type} but found {value.GetValueKind().ToString().ToLowerInvariant()}");
            return;
        }

        if (schema["enum"] is JsonArray allowed && value is JsonValue && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add($"{path}: {value.ToJsonString()} is not one of {allowed.ToJsonString()}");
        }

        if (value is JsonObject obj)
        {
            var properties = schema["properties"] as JsonObject;
            foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()))
            {
                if (!obj.ContainsKey(required))
                {
                    errors.Add($"{path}: missing required property '{required}'");
                }
            }

            foreach (var (name, child) in obj)
            {
                if (properties?[name] is { } propertySchema)
                {
                    Check(child, propertySchema, $"{path}.{name}", errors, depth + 1);
                }
                else if (schema["additionalProperties"] is JsonValue additional && additional.GetValueKind() == JsonValueKind.False)
                {
                    errors.Add($"{path}: property '{name}' is not allowed");
                }
                else if (schema["additionalProperties"] is JsonObject additionalSchema)
                {
                    Check(child, additionalSchema, $"{path}.{name}", errors, depth + 1);
                }
            }
        }

        if (value is JsonArray array && schema["items"] is { } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(array[i], items, $"{path}[{i}]", errors, depth + 1);
            }
        }
    }

    private bool Passes(JsonNode value, JsonNode schema, string path, int depth)
    {
        var errors = new List<string>();
        Check(value, schema, path, errors, depth + 1);
        return errors.Count == 0;
    }

    private JsonNode Resolve(JsonNode schema)
    {
        var seen = 0;
        while (schema["$ref"]?.GetValue<string>() is { } reference && seen++ < 16)
        {
            schema = resolveReference(reference);
        }

        return schema;
    }

    private static bool HasType(JsonNode value, string type) => (type, value.GetValueKind()) switch
    {
        ("object", JsonValueKind.Object) => true,
        ("array", JsonValueKind.Array) => true,
        ("string", JsonValueKind.String) => true,
        ("boolean", JsonValueKind.True or JsonValueKind.False) => true,
        ("number", JsonValueKind.Number) => true,
        ("integer", JsonValueKind.Number) => double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && Math.Floor(n) == n,
        _ => false,
    };
}
