using System.Text.Json;
using System.Text.Json.Nodes;
using Autopilot.Simulator.Railway.GraphQL;

namespace Autopilot.Platforms.Tests.Railway;

/// <summary>
/// Checks a GraphQL request (document + variables) against Railway's published schema the way the server's
/// validation would: root fields and every selected field exist (recursively, through fragments), leaf/composite
/// selections are right, arguments exist with compatible types, required arguments are given, enum values and
/// input-object fields exist, variables are declared, used and carry values of their declared types.
/// Returns the problems found; an empty list means the request is valid.
/// </summary>
public sealed class RailwaySchemaValidator(RailwayIntrospectionSchema schema)
{
    public IReadOnlyList<string> Validate(string documentText, JsonObject? variables)
    {
        var problems = new List<string>();
        GraphQLDocument document;
        try
        {
            document = GraphQLDocument.Parse(documentText);
        }
        catch (GraphQLSyntaxException e)
        {
            return [e.Message];
        }

        var usedFragments = new HashSet<string>();
        foreach (var operation in document.Operations)
        {
            var context = new OperationContext(document, operation, problems, usedFragments);
            var rootType = operation.Type switch
            {
                GraphQLOperationType.Query => schema.QueryType,
                GraphQLOperationType.Mutation => schema.MutationType,
                _ => null,
            };
            if (rootType is null)
            {
                problems.Add($"Operation {operation.Name}: only queries and mutations are sent over HTTP.");
                continue;
            }
            foreach (var variable in operation.Variables)
            {
                if (!schema.Types.TryGetValue(variable.Type.NamedType, out var variableType))
                    problems.Add($"Variable ${variable.Name}: unknown type {variable.Type.NamedType}.");
                else if (variableType.Kind is not ("SCALAR" or "ENUM" or "INPUT_OBJECT"))
                    problems.Add($"Variable ${variable.Name}: {variable.Type.NamedType} is not an input type.");
                else
                    CheckValue(variable.Type, variables?[variable.Name], $"${variable.Name}", problems,
                        provided: variables?.ContainsKey(variable.Name) == true || variable.DefaultValue is not null);
            }
            CheckSelections(rootType, operation.SelectionSet, context, []);
            foreach (var unused in operation.Variables.Select(v => v.Name).Except(context.UsedVariables))
                problems.Add($"Variable ${unused} is declared but never used.");
            if (variables is not null)
            {
                foreach (var (name, _) in variables)
                {
                    if (operation.Variables.All(v => v.Name != name))
                        problems.Add($"Variable ${name} is sent but not declared by {operation.Name}.");
                }
            }
        }
        foreach (var unused in document.Fragments.Keys.Except(usedFragments))
            problems.Add($"Fragment {unused} is never used.");
        return problems;
    }

    private sealed record OperationContext(GraphQLDocument Document, GraphQLOperation Operation, List<string> Problems, HashSet<string> UsedFragments)
    {
        public HashSet<string> UsedVariables { get; } = [];
    }

    private void CheckSelections(string typeName, IReadOnlyList<GraphQLSelection> selections, OperationContext context, HashSet<string> fragmentPath)
    {
        var type = schema.Types[typeName];
        foreach (var selection in selections)
        {
            switch (selection)
            {
                case GraphQLField { Name: "__typename" }:
                    break;
                case GraphQLField field:
                    CheckField(type, field, context, fragmentPath);
                    break;
                case GraphQLFragmentSpread spread:
                    context.UsedFragments.Add(spread.Name);
                    if (!context.Document.Fragments.TryGetValue(spread.Name, out var fragment))
                    {
                        context.Problems.Add($"Unknown fragment {spread.Name}.");
                        break;
                    }
                    if (!fragmentPath.Add(spread.Name))
                    {
                        context.Problems.Add($"Fragment {spread.Name} spreads itself.");
                        break;
                    }
                    CheckTypeCondition(typeName, fragment.TypeCondition, context, () => CheckSelections(fragment.TypeCondition, fragment.SelectionSet, context, fragmentPath));
                    fragmentPath.Remove(spread.Name);
                    break;
                case GraphQLInlineFragment inline:
                    var condition = inline.TypeCondition ?? typeName;
                    CheckTypeCondition(typeName, condition, context, () => CheckSelections(condition, inline.SelectionSet, context, fragmentPath));
                    break;
            }
        }
    }

    private void CheckTypeCondition(string parentType, string condition, OperationContext context, Action checkBody)
    {
        if (!schema.Types.TryGetValue(condition, out var conditionType))
        {
            context.Problems.Add($"Unknown type {condition} in a fragment.");
            return;
        }
        var parent = schema.Types[parentType];
        var overlaps = condition == parentType || parent.PossibleTypes.Contains(condition) || conditionType.PossibleTypes.Contains(parentType);
        if (!overlaps) context.Problems.Add($"Fragment on {condition} can never apply to {parentType}.");
        else checkBody();
    }

    private void CheckField(RailwayIntrospectionSchema.TypeDefinition type, GraphQLField field, OperationContext context, HashSet<string> fragmentPath)
    {
        var where = $"{type.Name}.{field.Name}";
        if (!type.Fields.TryGetValue(field.Name, out var definition))
        {
            context.Problems.Add($"Field {where} does not exist.");
            return;
        }
        foreach (var argument in field.Arguments)
        {
            if (!definition.Arguments.TryGetValue(argument.Name, out var argumentDefinition))
            {
                context.Problems.Add($"Argument {where}({argument.Name}) does not exist.");
                continue;
            }
            CheckArgumentValue(argumentDefinition.Type, argument.Value, $"{where}({argument.Name})", context);
        }
        foreach (var required in definition.Arguments.Values.Where(a => a.Type is GraphQLNonNullType && !a.HasDefault))
        {
            if (field.Arguments.All(a => a.Name != required.Name))
                context.Problems.Add($"Required argument {where}({required.Name}) is missing.");
        }

        var resultType = schema.Types[definition.Type.NamedType];
        var isLeaf = resultType.Kind is "SCALAR" or "ENUM";
        if (isLeaf && field.SelectionSet.Count > 0) context.Problems.Add($"Field {where} is a leaf ({resultType.Name}) but has a selection.");
        if (!isLeaf && field.SelectionSet.Count == 0) context.Problems.Add($"Field {where} of type {resultType.Name} needs a selection.");
        if (!isLeaf) CheckSelections(resultType.Name, field.SelectionSet, context, fragmentPath);
    }

    /// <summary>An argument given as a variable must have a type usable where the argument's type is expected.</summary>
    private void CheckArgumentValue(GraphQLTypeReference expected, GraphQLValue value, string where, OperationContext context)
    {
        switch (value)
        {
            case GraphQLVariable variable:
                context.UsedVariables.Add(variable.Name);
                var definition = context.Operation.Variables.FirstOrDefault(v => v.Name == variable.Name);
                if (definition is null)
                    context.Problems.Add($"{where}: variable ${variable.Name} is not declared.");
                else if (!IsUsableAs(definition.Type, expected, definition.DefaultValue is not null))
                    context.Problems.Add($"{where}: variable ${variable.Name} of type {definition.Type} cannot be used where {expected} is expected.");
                break;
            case GraphQLNullValue when expected is GraphQLNonNullType:
                context.Problems.Add($"{where}: null given for non-null {expected}.");
                break;
            case GraphQLListValue list:
                var itemType = Unwrap(expected) is GraphQLListType l ? l.OfType : Unwrap(expected);
                foreach (var item in list.Items) CheckArgumentValue(itemType, item, where, context);
                break;
            case GraphQLObjectValue obj:
                if (!schema.Types.TryGetValue(expected.NamedType, out var inputType) || inputType.Kind != "INPUT_OBJECT")
                {
                    context.Problems.Add($"{where}: object given where {expected} is expected.");
                    break;
                }
                foreach (var objectField in obj.Fields)
                {
                    if (inputType.InputFields.TryGetValue(objectField.Name, out var fieldDefinition))
                        CheckArgumentValue(fieldDefinition.Type, objectField.Value, $"{where}.{objectField.Name}", context);
                    else
                        context.Problems.Add($"{where}: input field {objectField.Name} does not exist on {inputType.Name}.");
                }
                break;
            case GraphQLEnumValue enumValue:
                if (!schema.Types.TryGetValue(expected.NamedType, out var enumType) || !enumType.EnumValues.Contains(enumValue.Name))
                    context.Problems.Add($"{where}: {enumValue.Name} is not a value of {expected.NamedType}.");
                break;
            case GraphQLStringValue or GraphQLIntValue or GraphQLFloatValue or GraphQLBooleanValue:
                var scalar = expected.NamedType;
                var fits = value switch
                {
                    GraphQLStringValue => scalar is not ("Int" or "Float" or "Boolean") && schema.Types[scalar].Kind == "SCALAR",
                    GraphQLIntValue => scalar is "Int" or "Float" or "ID" or "BigInt",
                    GraphQLFloatValue => scalar is "Float",
                    GraphQLBooleanValue => scalar is "Boolean",
                    _ => false,
                };
                if (!fits) context.Problems.Add($"{where}: literal {value} does not fit {expected}.");
                break;
        }
    }

    private static GraphQLTypeReference Unwrap(GraphQLTypeReference type) => type is GraphQLNonNullType nn ? nn.OfType : type;

    /// <summary>GraphQL's "is variable usage allowed": same shape, with the variable at least as strict.</summary>
    private static bool IsUsableAs(GraphQLTypeReference variable, GraphQLTypeReference expected, bool hasDefault)
    {
        if (expected is GraphQLNonNullType expectedNonNull)
        {
            if (variable is GraphQLNonNullType variableNonNull) return IsUsableAs(variableNonNull.OfType, expectedNonNull.OfType, false);
            return hasDefault && IsUsableAs(variable, expectedNonNull.OfType, false);
        }
        if (variable is GraphQLNonNullType strict) return IsUsableAs(strict.OfType, expected, false);
        if (expected is GraphQLListType expectedList)
            return variable is GraphQLListType variableList && IsUsableAs(variableList.OfType, expectedList.OfType, false);
        return variable is GraphQLNamedType v && expected is GraphQLNamedType e && v.Name == e.Name;
    }

    /// <summary>Checks a JSON variable value against its declared type.</summary>
    private void CheckValue(GraphQLTypeReference type, JsonNode? value, string where, List<string> problems, bool provided = true)
    {
        if (value is null)
        {
            if (type is GraphQLNonNullType && provided) problems.Add($"{where}: null for non-null {type}.");
            if (type is GraphQLNonNullType && !provided) problems.Add($"{where}: required {type} not provided.");
            return;
        }
        switch (Unwrap(type))
        {
            case GraphQLListType list:
                if (value is JsonArray array)
                    foreach (var item in array) CheckValue(list.OfType, item, $"{where}[]", problems);
                else
                    CheckValue(list.OfType, value, where, problems); // GraphQL coerces a single value to a list.
                return;
            case GraphQLNamedType named:
                var definition = schema.Types[named.Name];
                switch (definition.Kind)
                {
                    case "ENUM":
                        if (value is not JsonValue ev || !ev.TryGetValue<string>(out var name) || !definition.EnumValues.Contains(name))
                            problems.Add($"{where}: {value.ToJsonString()} is not a value of {named.Name}.");
                        return;
                    case "INPUT_OBJECT":
                        if (value is not JsonObject obj)
                        {
                            problems.Add($"{where}: {named.Name} must be an object.");
                            return;
                        }
                        foreach (var (key, fieldValue) in obj)
                        {
                            if (definition.InputFields.TryGetValue(key, out var field)) CheckValue(field.Type, fieldValue, $"{where}.{key}", problems);
                            else problems.Add($"{where}: input field {key} does not exist on {named.Name}.");
                        }
                        foreach (var required in definition.InputFields.Values.Where(f => f.Type is GraphQLNonNullType && !f.HasDefault))
                        {
                            if (!obj.ContainsKey(required.Name)) problems.Add($"{where}: required input field {required.Name} of {named.Name} is missing.");
                        }
                        return;
                    default:
                        var kind = value.GetValueKind();
                        var fits = named.Name switch
                        {
                            "Int" => kind == JsonValueKind.Number && value.GetValue<double>() % 1 == 0,
                            "Float" => kind == JsonValueKind.Number,
                            "Boolean" => kind is JsonValueKind.True or JsonValueKind.False,
                            "String" or "DateTime" => kind == JsonValueKind.String,
                            "ID" => kind is JsonValueKind.String or JsonValueKind.Number,
                            _ => true, // custom JSON scalars accept any value
                        };
                        if (!fits) problems.Add($"{where}: {value.ToJsonString()} is not a valid {named.Name}.");
                        if (named.Name == "DateTime" && fits && !DateTimeOffset.TryParse(value.GetValue<string>(), out _))
                            problems.Add($"{where}: {value.ToJsonString()} is not an ISO date-time.");
                        return;
                }
        }
    }
}
