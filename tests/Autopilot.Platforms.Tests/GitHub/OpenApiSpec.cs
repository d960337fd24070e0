using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Autopilot.Simulator.Hosting;

namespace Autopilot.Platforms.Tests.GitHub;

/// <summary>
/// A small reader of GitHub's OpenAPI description: matches recorded requests to operations (method + path
/// template), checks parameters and bodies, and checks response bodies against the response schema with a
/// JSON-schema subset (<c>$ref</c>, <c>type</c>, <c>nullable</c>, <c>required</c>, <c>properties</c>, <c>items</c>,
/// <c>oneOf</c>/<c>anyOf</c>/<c>allOf</c>, <c>enum</c>, <c>additionalProperties: false</c>).
/// </summary>
public sealed class OpenApiSpec
{
    public sealed record Operation(string Method, string Template, Regex Pattern, JsonElement Definition);

    private readonly JsonElement _root;

    public OpenApiSpec(string path)
    {
        _root = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        Operations = _root.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject()
                .Where(m => m.Name != "parameters")
                .Select(m => new Operation(m.Name.ToUpperInvariant(), p.Name, TemplatePattern(p.Name), m.Value)))
            .ToArray();
    }

    public static string DefaultPath([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Spec", "github-rest-subset.openapi.json");

    public IReadOnlyList<Operation> Operations { get; }

    public static Regex TemplatePattern(string template) =>
        new("^" + Regex.Replace(Regex.Escape(template), @"\\\{(\w+)}", "(?<$1>[^/]+)") + "$");

    public Operation? Match(string method, string path) =>
        Operations.FirstOrDefault(o => o.Method == method && o.Pattern.IsMatch(path));

    public IReadOnlyList<string> CheckRequest(Operation operation, RecordedExchange exchange)
    {
        var problems = new List<string>();
        var where = $"{operation.Method} {operation.Template}";
        var parameters = Parameters(operation).ToArray();
        var match = operation.Pattern.Match(exchange.Path);
        foreach (var p in parameters.Where(p => p.GetProperty("in").GetString() == "path"))
        {
            if (string.IsNullOrEmpty(match.Groups[p.GetProperty("name").GetString()!].Value))
                problems.Add($"{where}: path parameter {p.GetProperty("name").GetString()} is empty.");
        }
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(exchange.Query);
        var declared = parameters.Where(p => p.GetProperty("in").GetString() == "query").ToDictionary(p => p.GetProperty("name").GetString()!);
        foreach (var (key, value) in query)
        {
            if (!declared.TryGetValue(key, out var parameter)) problems.Add($"{where}: query parameter {key} is not in the spec.");
            else problems.AddRange(CheckScalarText(parameter.GetProperty("schema"), value.ToString(), $"{where} ?{key}"));
        }
        foreach (var (name, parameter) in declared)
        {
            if (parameter.TryGetProperty("required", out var r) && r.GetBoolean() && !query.ContainsKey(name))
                problems.Add($"{where}: required query parameter {name} is missing.");
        }
        if (operation.Definition.TryGetProperty("requestBody", out var requestBody))
        {
            var required = requestBody.TryGetProperty("required", out var req) && req.GetBoolean();
            if (exchange.RequestBody.Length == 0)
            {
                if (required) problems.Add($"{where}: the request body is required.");
            }
            else
            {
                var schema = requestBody.GetProperty("content").GetProperty("application/json").GetProperty("schema");
                problems.AddRange(Validate(schema, JsonNode.Parse(exchange.RequestBody), $"{where} request"));
            }
        }
        else if (exchange.RequestBody.Length > 0)
        {
            problems.Add($"{where}: sends a body the operation does not take.");
        }
        return problems;
    }

    public IReadOnlyList<string> CheckResponse(Operation operation, RecordedExchange exchange)
    {
        var where = $"{operation.Method} {operation.Template} → {exchange.StatusCode}";
        var responses = operation.Definition.GetProperty("responses");
        JsonElement response;
        if (responses.TryGetProperty(exchange.StatusCode.ToString(), out var listed))
            response = Resolve(listed);
        else if (exchange.StatusCode >= 400)
            response = JsonDocument.Parse("""{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/basic-error"}}}}""").RootElement;
        else
            return [$"{where}: status not documented for this operation."];

        if (!response.TryGetProperty("content", out var content))
            return exchange.ResponseBody.Length == 0 ? [] : [$"{where}: documented without a body but one was sent."];
        var schema = content.GetProperty("application/json").GetProperty("schema");
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(exchange.ResponseBody);
        }
        catch (JsonException)
        {
            return [$"{where}: body is not JSON."];
        }
        return Validate(schema, body, where);
    }

    public IReadOnlyList<string> Validate(JsonElement schema, JsonNode? value, string where)
    {
        var problems = new List<string>();
        Check(schema, value, where, problems);
        return problems;
    }

    private void Check(JsonElement schema, JsonNode? value, string where, List<string> problems)
    {
        schema = Resolve(schema);
        if (value is null)
        {
            if (!(schema.TryGetProperty("nullable", out var nullable) && nullable.GetBoolean())) problems.Add($"{where}: null is not allowed.");
            return;
        }
        if (schema.TryGetProperty("allOf", out var allOf))
            foreach (var part in allOf.EnumerateArray()) Check(part, value, where, problems);
        foreach (var alternatives in new[] { "oneOf", "anyOf" })
        {
            if (!schema.TryGetProperty(alternatives, out var options)) continue;
            var results = options.EnumerateArray().Select(o => Validate(o, value, where)).ToArray();
            if (results.All(r => r.Count > 0)) problems.Add($"{where}: matches none of {alternatives} ({string.Join(" | ", results.Select(r => r[0]))}).");
        }
        if (schema.TryGetProperty("enum", out var allowed) && value is JsonValue ev && ev.TryGetValue<string>(out var text)
            && allowed.EnumerateArray().All(a => a.ToString() != text))
        {
            problems.Add($"{where}: \"{text}\" is not one of the allowed values.");
        }
        if (!schema.TryGetProperty("type", out var type)) return;
        var kind = value.GetValueKind();
        var ok = type.GetString() switch
        {
            "object" => kind == JsonValueKind.Object,
            "array" => kind == JsonValueKind.Array,
            "string" => kind == JsonValueKind.String,
            "integer" => kind == JsonValueKind.Number && value.GetValue<double>() % 1 == 0,
            "number" => kind == JsonValueKind.Number,
            "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
            _ => true,
        };
        if (!ok)
        {
            problems.Add($"{where}: expected {type.GetString()}, found {kind}.");
            return;
        }
        if (value is JsonObject obj)
        {
            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            if (schema.TryGetProperty("required", out var required))
            {
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                {
                    if (!obj.ContainsKey(name)) problems.Add($"{where}: required property {name} is missing.");
                }
            }
            foreach (var (name, child) in obj)
            {
                if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var childSchema))
                    Check(childSchema, child, $"{where}.{name}", problems);
                else if (schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.False)
                    problems.Add($"{where}: property {name} is not allowed.");
            }
        }
        if (value is JsonArray array && schema.TryGetProperty("items", out var items))
        {
            for (var i = 0; i < array.Count; i++) Check(items, array[i], $"{where}[{i}]", problems);
        }
    }

    private IEnumerable<string> CheckScalarText(JsonElement schema, string text, string where)
    {
        schema = Resolve(schema);
        var type = schema.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type == "integer" && !long.TryParse(text, out _)) yield return $"{where}: \"{text}\" is not an integer.";
        if (type == "boolean" && text is not ("true" or "false")) yield return $"{where}: \"{text}\" is not a boolean.";
        if (schema.TryGetProperty("enum", out var allowed) && allowed.EnumerateArray().All(a => a.ToString() != text))
            yield return $"{where}: \"{text}\" is not an allowed value.";
    }

    private IEnumerable<JsonElement> Parameters(Operation operation)
    {
        var pathItem = _root.GetProperty("paths").GetProperty(operation.Template);
        var shared = pathItem.TryGetProperty("parameters", out var s) ? s.EnumerateArray() : default;
        var own = operation.Definition.TryGetProperty("parameters", out var o) ? o.EnumerateArray() : default;
        return shared.Concat(own).Select(Resolve);
    }

    private JsonElement Resolve(JsonElement node)
    {
        while (node.ValueKind == JsonValueKind.Object && node.TryGetProperty("$ref", out var reference))
        {
            var target = _root;
            foreach (var segment in reference.GetString()!.TrimStart('#', '/').Split('/')) target = target.GetProperty(segment.Replace("~1", "/").Replace("~0", "~"));
            node = target;
        }
        return node;
    }
}
