using System.Globalization;
using System.Text.Json.Nodes;
using Autopilot.Simulator.Railway.GraphQL;

namespace Autopilot.Simulator.Railway;

/// <summary>The document asks for something the schema does not have, or misuses variables (HTTP 400).</summary>
internal sealed class GraphQLValidationException(string message, int line = 0, int column = 0) : Exception(message)
{
    public int Line { get; } = line;

    public int Column { get; } = column;
}

/// <summary>A resolver refused a field (not found, not authorised, invalid state); reported in <c>errors</c> with HTTP 200.</summary>
internal sealed class GraphQLFieldException(string message, string? code = null) : Exception(message)
{
    public string? Code { get; } = code;
}

/// <summary>
/// Validates an operation against <see cref="RailwayFakeSchema"/>, runs each root field through a resolver that
/// returns the full JSON of the result, and projects that JSON down to exactly the selection (aliases,
/// fragments, <c>__typename</c>) — the part of GraphQL execution a fake needs to look like the real server.
/// </summary>
internal sealed class RailwayGraphQLExecutor(GraphQLDocument document, GraphQLOperation operation, JsonObject variables)
{
    public string RootType => operation.Type switch
    {
        GraphQLOperationType.Query => "Query",
        GraphQLOperationType.Mutation => "Mutation",
        _ => throw new GraphQLValidationException("Subscriptions are not supported over HTTP."),
    };

    public IReadOnlyList<GraphQLField> RootFields => CollectFields(RootType, operation.SelectionSet);

    public void Validate()
    {
        var declared = operation.Variables.ToDictionary(v => v.Name);
        foreach (var definition in operation.Variables)
        {
            var provided = variables.TryGetPropertyValue(definition.Name, out var value) && value is not null;
            if (definition.Type is GraphQLNonNullType && !provided && definition.DefaultValue is null)
                throw new GraphQLValidationException($"Variable \"${definition.Name}\" of required type \"{definition.Type}\" was not provided.");
        }
        ValidateSelections(RootType, operation.SelectionSet, declared, []);
    }

    /// <summary>Runs the root fields in order (mutations are sequential by definition) and builds the response.</summary>
    public (JsonObject? Data, JsonArray Errors) Execute(Func<GraphQLField, IReadOnlyDictionary<string, JsonNode?>, JsonNode?> resolve)
    {
        var data = new JsonObject();
        var errors = new JsonArray();
        foreach (var field in RootFields)
        {
            if (field.Name == "__typename")
            {
                data[field.ResponseName] = RootType;
                continue;
            }
            try
            {
                var arguments = field.Arguments.ToDictionary(a => a.Name, a => Resolve(a.Value));
                var spec = RailwayFakeSchema.Types[RootType][field.Name];
                data[field.ResponseName] = Project(resolve(field, arguments), spec, field.SelectionSet);
            }
            catch (GraphQLFieldException e)
            {
                var error = new JsonObject
                {
                    ["message"] = e.Message,
                    ["locations"] = new JsonArray(new JsonObject { ["line"] = field.Line, ["column"] = field.Column }),
                    ["path"] = new JsonArray(field.ResponseName),
                };
                if (e.Code is not null) error["extensions"] = new JsonObject { ["code"] = e.Code };
                errors.Add(error);
            }
        }
        // Every modeled root field is non-null, so one failed field nulls the whole data object.
        return (errors.Count > 0 ? null : data, errors);
    }

    private void ValidateSelections(
        string typeName, IReadOnlyList<GraphQLSelection> selections, IReadOnlyDictionary<string, GraphQLVariableDefinition> declared, HashSet<string> fragmentPath)
    {
        var fields = RailwayFakeSchema.Types[typeName];
        foreach (var selection in selections)
        {
            switch (selection)
            {
                case GraphQLField { Name: "__typename" } typename when typename.SelectionSet.Count == 0:
                    break;
                case GraphQLField field:
                    if (!fields.TryGetValue(field.Name, out var spec))
                        throw new GraphQLValidationException($"Cannot query field \"{field.Name}\" on type \"{typeName}\".", field.Line, field.Column);
                    foreach (var argument in field.Arguments)
                    {
                        if (!spec.Arguments.Contains(argument.Name))
                            throw new GraphQLValidationException($"Unknown argument \"{argument.Name}\" on field \"{typeName}.{field.Name}\".", field.Line, field.Column);
                        foreach (var variable in VariablesIn(argument.Value))
                        {
                            if (!declared.ContainsKey(variable))
                                throw new GraphQLValidationException($"Variable \"${variable}\" is not defined by operation \"{operation.Name}\".", field.Line, field.Column);
                        }
                    }
                    if (spec.Composite && field.SelectionSet.Count == 0)
                        throw new GraphQLValidationException($"Field \"{field.Name}\" of type \"{spec.Type}\" must have a selection of subfields.", field.Line, field.Column);
                    if (!spec.Composite && field.SelectionSet.Count > 0)
                        throw new GraphQLValidationException($"Field \"{field.Name}\" must not have a selection since type \"{spec.Type}\" has no subfields.", field.Line, field.Column);
                    if (spec.Composite) ValidateSelections(spec.Type, field.SelectionSet, declared, fragmentPath);
                    break;
                case GraphQLFragmentSpread spread:
                    if (!document.Fragments.TryGetValue(spread.Name, out var fragment))
                        throw new GraphQLValidationException($"Unknown fragment \"{spread.Name}\".");
                    if (fragment.TypeCondition != typeName)
                        throw new GraphQLValidationException($"Fragment \"{spread.Name}\" cannot be spread here as objects of type \"{typeName}\" can never be of type \"{fragment.TypeCondition}\".");
                    if (!fragmentPath.Add(spread.Name))
                        throw new GraphQLValidationException($"Cannot spread fragment \"{spread.Name}\" within itself.");
                    ValidateSelections(typeName, fragment.SelectionSet, declared, fragmentPath);
                    fragmentPath.Remove(spread.Name);
                    break;
                case GraphQLInlineFragment inline:
                    if (inline.TypeCondition is not null && inline.TypeCondition != typeName)
                        throw new GraphQLValidationException($"Fragment cannot be spread here as objects of type \"{typeName}\" can never be of type \"{inline.TypeCondition}\".");
                    ValidateSelections(typeName, inline.SelectionSet, declared, fragmentPath);
                    break;
            }
        }
    }

    private static IEnumerable<string> VariablesIn(GraphQLValue value) => value switch
    {
        GraphQLVariable v => [v.Name],
        GraphQLListValue list => list.Items.SelectMany(VariablesIn),
        GraphQLObjectValue obj => obj.Fields.SelectMany(f => VariablesIn(f.Value)),
        _ => [],
    };

    private List<GraphQLField> CollectFields(string typeName, IReadOnlyList<GraphQLSelection> selections)
    {
        var collected = new List<GraphQLField>();
        foreach (var selection in selections)
        {
            switch (selection)
            {
                case GraphQLField field:
                    collected.Add(field);
                    break;
                case GraphQLFragmentSpread spread:
                    collected.AddRange(CollectFields(typeName, document.Fragments[spread.Name].SelectionSet));
                    break;
                case GraphQLInlineFragment inline:
                    collected.AddRange(CollectFields(typeName, inline.SelectionSet));
                    break;
            }
        }
        return collected;
    }

    private JsonNode? Project(JsonNode? value, RailwayFakeSchema.FieldSpec spec, IReadOnlyList<GraphQLSelection> selections)
    {
        if (value is null) return null;
        if (!spec.Composite) return value.DeepClone();
        if (value is JsonArray array) return new JsonArray(array.Select(item => Project(item, spec, selections)).ToArray());

        var source = value.AsObject();
        var result = new JsonObject();
        var fields = RailwayFakeSchema.Types[spec.Type];
        foreach (var field in CollectFields(spec.Type, selections))
        {
            if (field.Name == "__typename")
            {
                result[field.ResponseName] = spec.Type;
                continue;
            }
            source.TryGetPropertyValue(field.Name, out var child);
            var projected = Project(child, fields[field.Name], field.SelectionSet);
            // Several selections of one response name (e.g. a field plus a fragment) merge into one object.
            if (result.TryGetPropertyValue(field.ResponseName, out var existing) && existing is JsonObject target && projected is JsonObject more)
            {
                foreach (var (key, node) in more.ToArray())
                {
                    more.Remove(key);
                    target[key] = node;
                }
            }
            else
            {
                result[field.ResponseName] = projected;
            }
        }
        return result;
    }

    private JsonNode? Resolve(GraphQLValue value) => value switch
    {
        GraphQLVariable v => variables.TryGetPropertyValue(v.Name, out var node) && node is not null
            ? node.DeepClone()
            : operation.Variables.FirstOrDefault(d => d.Name == v.Name)?.DefaultValue is { } fallback ? Resolve(fallback) : null,
        GraphQLIntValue i => JsonValue.Create(long.Parse(i.Text, CultureInfo.InvariantCulture)),
        GraphQLFloatValue f => JsonValue.Create(double.Parse(f.Text, CultureInfo.InvariantCulture)),
        GraphQLStringValue s => JsonValue.Create(s.Value),
        GraphQLBooleanValue b => JsonValue.Create(b.Value),
        GraphQLNullValue => null,
        GraphQLEnumValue e => JsonValue.Create(e.Name),
        GraphQLListValue list => new JsonArray(list.Items.Select(Resolve).ToArray()),
        GraphQLObjectValue obj => new JsonObject(obj.Fields.Select(f => KeyValuePair.Create(f.Name, Resolve(f.Value)))),
        _ => throw new GraphQLValidationException($"Unsupported value {value}."),
    };
}
