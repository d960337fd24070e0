using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Instrumentation;
using GraphQL.SystemTextJson;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;

namespace Autopilot.Simulator.Railway;

/// <summary>
/// Railway's published schema (the SDL printed from the Railway CLI's introspection dump) as a graphql-dotnet
/// schema. Parsing, validation and variable coercion are graphql-dotnet's and GraphQL-Parser's; this class only
/// supplies what an SDL file cannot: a resolver hook for the fake, pass-through custom scalars, and Railway's
/// <c>DateTime</c> (RFC 3339 with an offset).
/// </summary>
public static class RailwaySchema
{
    private const string ResolverKey = "railway.resolve";
    private static readonly Lazy<ISchema> Embedded = new(() => Build(ReadEmbeddedSdl()));

    /// <summary>The schema built from the SDL embedded in this assembly (a copy of <c>../shared/specs/railway</c>).</summary>
    public static ISchema Published => Embedded.Value;

    /// <summary>The embedded SDL text.</summary>
    public static string ReadEmbeddedSdl()
    {
        using var stream = typeof(RailwaySchema).Assembly.GetManifestResourceStream("Autopilot.Simulator.Railway.railway-schema.graphql")
                           ?? throw new InvalidOperationException("The Railway schema resource is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Builds an executable schema from <paramref name="sdl"/>. Root fields are resolved by the delegate an
    /// execution passes in its user context (see <see cref="ExecuteAsync"/>); every other field reads its value
    /// from the parent's JSON object. Subscriptions are left out (Railway serves them over WebSockets only).
    /// </summary>
    public static ISchema Build(string sdl)
    {
        var definitions = GraphQLParser.Parser.Parse(sdl).Definitions;
        var abstractTypes = definitions
            .Select(d => d switch
            {
                GraphQLUnionTypeDefinition u => u.Name.StringValue,
                GraphQLInterfaceTypeDefinition i => i.Name.StringValue,
                _ => null,
            })
            .OfType<string>()
            .ToArray();
        var schema = Schema.For(sdl, builder =>
        {
            // The fake never returns union or interface values; the hook only satisfies schema validation.
            foreach (var name in abstractTypes) builder.Types.For(name).ResolveType = _ => null!;
        });
        schema.Subscription = null;
        schema.RegisterType(new RailwayDateTimeGraphType());
        foreach (var scalar in definitions.OfType<GraphQLScalarTypeDefinition>().Select(d => d.Name.StringValue))
        {
            if (scalar is not ("DateTime" or "BigInt")) schema.RegisterType(new ComplexScalarGraphType { Name = scalar });
        }
        schema.FieldMiddleware.Use(new JsonFieldMiddleware());
        schema.Initialize();
        return schema;
    }

    /// <summary>
    /// Checks a request as the server would before running it: syntax, validation rules, and the variables
    /// against their declared types. Returns graphql-dotnet's messages; empty when the request is valid.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ValidateAsync(ISchema schema, string query, JsonObject? variables, string? operationName = null)
    {
        GraphQLDocument document;
        try
        {
            document = GraphQLParser.Parser.Parse(query);
        }
        catch (GraphQLSyntaxErrorException e)
        {
            return [e.Message];
        }
        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToArray();
        var operation = operationName is null
            ? operations.Length == 1 ? operations[0] : null
            : operations.FirstOrDefault(o => o.Name?.StringValue == operationName);
        if (operation is null) return [$"No operation \"{operationName}\" to run in the document."];

        var result = await new DocumentValidator().ValidateAsync(new ValidationOptions
        {
            Schema = schema,
            Document = document,
            Operation = operation,
            Rules = DocumentValidator.CoreRules,
            Variables = ReadInputs(variables),
            UserContext = new Dictionary<string, object?>(),
            Extensions = Inputs.Empty,
            RequestServices = EmptyServices.Instance,
            Metrics = Metrics.None,
        });
        return result.Errors.Select(e => e.Message).ToArray();
    }

    /// <summary>Runs a parsed request, resolving root fields through <paramref name="resolveRoot"/>.</summary>
    internal static Task<ExecutionResult> ExecuteAsync(
        ISchema schema,
        GraphQLDocument document,
        string query,
        string? operationName,
        JsonObject variables,
        Func<string, IReadOnlyDictionary<string, JsonNode?>, JsonNode?> resolveRoot,
        CancellationToken cancellationToken) =>
        new DocumentExecuter().ExecuteAsync(options =>
        {
            options.Schema = schema;
            options.Document = document;
            options.Query = query;
            options.OperationName = operationName;
            options.Variables = ReadInputs(variables);
            options.UserContext = new Dictionary<string, object?> { [ResolverKey] = resolveRoot };
            options.ThrowOnUnhandledException = false;
            options.CancellationToken = cancellationToken;
        });

    /// <summary>Serializes an execution result the way graphql-dotnet's System.Text.Json serializer does.</summary>
    internal static JsonObject ToJson(ExecutionResult result) =>
        JsonNode.Parse(new GraphQLSerializer().Serialize(result))!.AsObject();

    private static Inputs ReadInputs(JsonObject? variables) =>
        variables is null ? Inputs.Empty : new GraphQLSerializer().Deserialize<Inputs>(variables.ToJsonString()) ?? Inputs.Empty;

    /// <summary>Root fields go to the fake's resolver; all other fields read the parent's JSON.</summary>
    private sealed class JsonFieldMiddleware : IFieldMiddleware
    {
        public ValueTask<object?> ResolveAsync(IResolveFieldContext context, FieldMiddlewareDelegate next)
        {
            var name = context.FieldDefinition.Name;
            JsonNode? value;
            if (context.ParentType == context.Schema.Query || context.ParentType == context.Schema.Mutation)
            {
                var resolve = (Func<string, IReadOnlyDictionary<string, JsonNode?>, JsonNode?>)context.UserContext[ResolverKey]!;
                var arguments = (context.Arguments ?? new Dictionary<string, global::GraphQL.Execution.ArgumentValue>())
                    .Where(a => a.Value.Source != global::GraphQL.Execution.ArgumentSource.FieldDefault || a.Value.Value is not null)
                    .ToDictionary(a => a.Key, a => ToJson(a.Value.Value));
                try
                {
                    value = resolve(name, arguments);
                }
                catch (GraphQLFieldException e)
                {
                    throw new ExecutionError(e.Message) { Code = e.Code };
                }
            }
            else
            {
                value = context.Source is JsonObject parent && parent.TryGetPropertyValue(name, out var child) ? child : null;
            }
            return new ValueTask<object?>(ToClr(value, context.FieldDefinition.ResolvedType!));
        }

        // Object values stay JSON (they become the next level's source); leaves become CLR values the scalar serializes.
        private static object? ToClr(JsonNode? value, IGraphType type)
        {
            if (value is null) return null;
            while (type is NonNullGraphType or ListGraphType) type = type is NonNullGraphType n ? n.ResolvedType! : ((ListGraphType)type).ResolvedType!;
            if (type is IComplexGraphType) return value is JsonArray array ? array : value;
            return Plain(value);
        }

        private static object? Plain(JsonNode? node) => node switch
        {
            null => null,
            JsonObject o => o.ToDictionary(p => p.Key, p => Plain(p.Value)),
            JsonArray a => a.Select(Plain).ToList(),
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            JsonValue v when v.TryGetValue<long>(out var l) => l,
            JsonValue v when v.TryGetValue<int>(out var i) => (long)i,
            JsonValue v when v.TryGetValue<double>(out var d) => d,
            JsonValue v => v.ToJsonString(),
        };

        private static JsonNode? ToJson(object? value) => value switch
        {
            null => null,
            string s => JsonValue.Create(s),
            bool b => JsonValue.Create(b),
            int i => JsonValue.Create((long)i),
            long l => JsonValue.Create(l),
            double d => JsonValue.Create(d),
            decimal m => JsonValue.Create(m),
            DateTimeOffset t => JsonValue.Create(RailwayDateTimeGraphType.Format(t)),
            DateTime t => JsonValue.Create(RailwayDateTimeGraphType.Format(new DateTimeOffset(t.ToUniversalTime()))),
            IDictionary<string, object?> o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, ToJson(p.Value)))),
            IEnumerable e => new JsonArray(e.Cast<object?>().Select(ToJson).ToArray()),
            _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
        };
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public static readonly EmptyServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}

/// <summary>
/// Railway's <c>DateTime</c>: an RFC 3339 date-time string with an explicit offset (<c>Z</c> or <c>±hh:mm</c>).
/// A value without an offset is refused, as a date-time scalar that must not guess a time zone does.
/// </summary>
internal sealed class RailwayDateTimeGraphType : ScalarGraphType
{
    public RailwayDateTimeGraphType() => Name = "DateTime";

    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        string text => Parse(text),
        DateTimeOffset at => at,
        _ => ThrowValueConversionError(value),
    };

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLStringValue s => Parse((string)s.Value),
        _ => ThrowLiteralConversionError(value),
    };

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        string text => Format(Parse(text)),
        DateTimeOffset at => Format(at),
        _ => ThrowSerializationError(value),
    };

    private static DateTimeOffset Parse(string text)
    {
        var t = text.Length > 10 ? text.IndexOf('T', StringComparison.OrdinalIgnoreCase) : -1;
        var zone = t < 0 ? "" : text[(t + 1)..];
        var hasOffset = zone.EndsWith('Z') || zone.EndsWith('z') || zone.Contains('+') || zone.Contains('-');
        if (!hasOffset || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            throw new FormatException($"DateTime cannot represent an invalid date-time-string {text}.");
        return at.ToUniversalTime();
    }
}
