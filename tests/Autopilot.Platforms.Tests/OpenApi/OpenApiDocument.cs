using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Autopilot.Platforms.Tests.OpenApi;

/// <summary>
/// An OpenAPI 3.0 document (JSON or YAML, both loaded into the same <see cref="JsonNode"/> shape) used as a
/// contract: a recorded request must hit a declared path and method with its required parameters and a body
/// matching the request schema; a recorded response must be a declared status whose body matches the schema.
/// </summary>
public sealed class OpenApiDocument
{
    private readonly JsonSchemaValidator _validator;

    private OpenApiDocument(JsonNode root)
    {
        Root = root;
        _validator = new JsonSchemaValidator(ResolvePointer);
    }

    /// <summary>The whole document.</summary>
    public JsonNode Root { get; }

    /// <summary>Loads a JSON document.</summary>
    public static OpenApiDocument LoadJson(string path) => new(JsonNode.Parse(File.ReadAllText(path))!);

    /// <summary>Loads a YAML document; plain scalars become booleans, numbers or null as YAML 1.2's core schema says.</summary>
    public static OpenApiDocument LoadYaml(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        return new OpenApiDocument(ToJson(stream.Documents[0].RootNode)!);
    }

    /// <summary>
    /// Checks a request. <paramref name="path"/> is relative to the server URL (e.g. <c>/workflows/abc</c>),
    /// <paramref name="query"/> the raw query string.
    /// </summary>
    public IReadOnlyList<string> CheckRequest(string method, string path, string query, string body)
    {
        var errors = new List<string>();
        if (FindOperation(method, path) is not { } found)
        {
            return [$"{method} {path}: no such operation in the spec"];
        }

        var (operation, pathItem) = found;
        var parameters = Parameters(pathItem).Concat(Parameters(operation)).ToArray();
        var sent = ParseQuery(query);
        foreach (var parameter in parameters.Where(p => p["in"]!.GetValue<string>() == "query"))
        {
            var name = parameter["name"]!.GetValue<string>();
            if (parameter["required"]?.GetValue<bool>() == true && !sent.ContainsKey(name))
            {
                errors.Add($"{method} {path}: missing required query parameter '{name}'");
            }

            if (sent.TryGetValue(name, out var value) && parameter["schema"] is { } schema)
            {
                errors.AddRange(_validator.Validate(QueryValue(value, schema), schema).Select(e => $"{method} {path}: query '{name}' {e}"));
            }
        }

        foreach (var unknown in sent.Keys.Where(k => !parameters.Any(p => p["in"]!.GetValue<string>() == "query" && p["name"]!.GetValue<string>() == k)))
        {
            errors.Add($"{method} {path}: query parameter '{unknown}' is not in the spec");
        }

        if (operation["requestBody"] is { } requestBody)
        {
            var requestSchema = ResolveNode(requestBody)["content"]?["application/json"]?["schema"];
            if (body.Length == 0)
            {
                if (ResolveNode(requestBody)["required"]?.GetValue<bool>() == true)
                {
                    errors.Add($"{method} {path}: the request body is required");
                }
            }
            else if (requestSchema is not null)
            {
                errors.AddRange(_validator.Validate(JsonNode.Parse(body), requestSchema).Select(e => $"{method} {path}: request body {e}"));
            }
        }
        else if (body.Length > 0)
        {
            errors.Add($"{method} {path}: sends a body but the operation takes none");
        }

        return errors;
    }

    /// <summary>Checks a response: the status must be declared (or covered by <c>default</c>) and the JSON body match its schema.</summary>
    public IReadOnlyList<string> CheckResponse(string method, string path, int status, string body)
    {
        if (FindOperation(method, path) is not { } found)
        {
            return [$"{method} {path}: no such operation in the spec"];
        }

        var responses = found.Operation["responses"]!.AsObject();
        var response = responses[status.ToString(CultureInfo.InvariantCulture)] ?? responses["default"];
        if (response is null)
        {
            return [$"{method} {path}: status {status} is not declared (declared: {string.Join(", ", responses.Select(r => r.Key))})"];
        }

        var schema = ResolveNode(response)["content"]?["application/json"]?["schema"];
        return schema is null
            ? []
            : _validator.Validate(JsonNode.Parse(body), schema).Select(e => $"{method} {path} -> {status}: {e}").ToArray();
    }

    /// <summary>Whether the spec declares <paramref name="method"/> on a path template matching <paramref name="path"/>.</summary>
    public bool HasOperation(string method, string path) => FindOperation(method, path) is not null;

    private (JsonNode Operation, JsonNode PathItem)? FindOperation(string method, string path)
    {
        foreach (var (template, pathItem) in Root["paths"]!.AsObject())
        {
            var pattern = "^" + Regex.Replace(Regex.Escape(template), @"\\\{[^/]+?}", "[^/]+") + "$";
            if (Regex.IsMatch(path, pattern) && pathItem![method.ToLowerInvariant()] is { } operation)
            {
                return (operation, pathItem);
            }
        }

        return null;
    }

    private IEnumerable<JsonNode> Parameters(JsonNode node) =>
        (node["parameters"] as JsonArray ?? []).Select(p => ResolveNode(p!));

    private JsonNode ResolveNode(JsonNode node)
    {
        while (node["$ref"]?.GetValue<string>() is { } reference)
        {
            node = ResolvePointer(reference);
        }

        return node;
    }

    private JsonNode ResolvePointer(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Only local references are supported, not '{reference}'.");
        }

        var node = Root;
        foreach (var segment in reference[2..].Split('/'))
        {
            node = node[segment.Replace("~1", "/").Replace("~0", "~")] ?? throw new InvalidOperationException($"Unresolvable reference '{reference}'.");
        }

        return node;
    }

    private static Dictionary<string, string> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "");

    /// <summary>Query strings are text; give the validator the JSON value the schema's type means.</summary>
    private JsonNode? QueryValue(string text, JsonNode schema) => ResolveNode(schema)["type"]?.GetValue<string>() switch
    {
        "number" or "integer" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        "boolean" when bool.TryParse(text, out var flag) => JsonValue.Create(flag),
        _ => JsonValue.Create(text),
    };

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => PlainScalar(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"Unsupported YAML node {node.NodeType}."),
    };

    private static JsonNode? PlainScalar(string text) => text switch
    {
        "null" or "~" or "" => null,
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) => JsonValue.Create(integer),
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        _ => JsonValue.Create(text),
    };
}
