using System.Runtime.CompilerServices;
using System.Text.Json;
using Autopilot.Simulator.Railway.GraphQL;

namespace Autopilot.Platforms.Tests.Railway;

/// <summary>Railway's published schema, read from the introspection dump the Railway CLI is generated from.</summary>
public sealed class RailwayIntrospectionSchema
{
    public sealed record Argument(string Name, GraphQLTypeReference Type, bool HasDefault);

    public sealed record Field(string Name, GraphQLTypeReference Type, IReadOnlyDictionary<string, Argument> Arguments);

    public sealed record TypeDefinition(
        string Name,
        string Kind,
        IReadOnlyDictionary<string, Field> Fields,
        IReadOnlyDictionary<string, Argument> InputFields,
        IReadOnlySet<string> EnumValues,
        IReadOnlySet<string> PossibleTypes);

    public RailwayIntrospectionSchema(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var schema = json.RootElement.GetProperty("data").GetProperty("__schema");
        QueryType = schema.GetProperty("queryType").GetProperty("name").GetString()!;
        MutationType = schema.GetProperty("mutationType").GetProperty("name").GetString()!;
        Types = schema.GetProperty("types").EnumerateArray().Select(ReadType).ToDictionary(t => t.Name);
    }

    /// <summary>The copy of the dump next to this source file.</summary>
    public static string DefaultPath([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Spec", "railway-schema.introspection.json");

    public string QueryType { get; }

    public string MutationType { get; }

    public IReadOnlyDictionary<string, TypeDefinition> Types { get; }

    private static TypeDefinition ReadType(JsonElement type) => new(
        type.GetProperty("name").GetString()!,
        type.GetProperty("kind").GetString()!,
        Array(type, "fields").ToDictionary(
            f => f.GetProperty("name").GetString()!,
            f => new Field(f.GetProperty("name").GetString()!, ReadTypeRef(f.GetProperty("type")),
                Array(f, "args").Select(ReadArgument).ToDictionary(a => a.Name))),
        Array(type, "inputFields").Select(ReadArgument).ToDictionary(a => a.Name),
        Array(type, "enumValues").Select(v => v.GetProperty("name").GetString()!).ToHashSet(),
        Array(type, "possibleTypes").Select(v => v.GetProperty("name").GetString()!).ToHashSet());

    private static Argument ReadArgument(JsonElement argument) => new(
        argument.GetProperty("name").GetString()!,
        ReadTypeRef(argument.GetProperty("type")),
        argument.TryGetProperty("defaultValue", out var d) && d.ValueKind != JsonValueKind.Null);

    private static GraphQLTypeReference ReadTypeRef(JsonElement type) => type.GetProperty("kind").GetString() switch
    {
        "NON_NULL" => new GraphQLNonNullType(ReadTypeRef(type.GetProperty("ofType"))),
        "LIST" => new GraphQLListType(ReadTypeRef(type.GetProperty("ofType"))),
        _ => new GraphQLNamedType(type.GetProperty("name").GetString()!),
    };

    private static IEnumerable<JsonElement> Array(JsonElement owner, string property) =>
        owner.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];
}
