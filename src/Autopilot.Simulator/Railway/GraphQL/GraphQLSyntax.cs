namespace Autopilot.Simulator.Railway.GraphQL;

/// <summary>Kind of a GraphQL operation.</summary>
public enum GraphQLOperationType
{
    /// <summary>A read.</summary>
    Query,

    /// <summary>A write.</summary>
    Mutation,

    /// <summary>A stream (parsed, never executed by the fakes).</summary>
    Subscription,
}

/// <summary>A parsed executable document: its operations and the fragments they may spread.</summary>
public sealed record GraphQLDocument(IReadOnlyList<GraphQLOperation> Operations, IReadOnlyDictionary<string, GraphQLFragment> Fragments)
{
    /// <summary>Parses <paramref name="text"/>; malformed input throws <see cref="GraphQLSyntaxException"/>.</summary>
    public static GraphQLDocument Parse(string text) => new GraphQLParser(text).ParseDocument();

    /// <summary>
    /// The operation a request asks to run: the named one, or the only one when no name is given — the rule a
    /// GraphQL server applies to <c>operationName</c>.
    /// </summary>
    /// <exception cref="GraphQLSyntaxException">No such operation, or the choice is ambiguous.</exception>
    public GraphQLOperation SelectOperation(string? operationName)
    {
        if (string.IsNullOrEmpty(operationName))
        {
            return Operations.Count == 1
                ? Operations[0]
                : throw new GraphQLSyntaxException("operationName is required when a document has several operations.", 1, 1);
        }
        return Operations.FirstOrDefault(o => o.Name == operationName)
            ?? throw new GraphQLSyntaxException($"Unknown operation named \"{operationName}\".", 1, 1);
    }
}

/// <summary>One operation definition.</summary>
public sealed record GraphQLOperation(
    GraphQLOperationType Type,
    string? Name,
    IReadOnlyList<GraphQLVariableDefinition> Variables,
    IReadOnlyList<GraphQLSelection> SelectionSet);

/// <summary>A named fragment definition.</summary>
public sealed record GraphQLFragment(string Name, string TypeCondition, IReadOnlyList<GraphQLSelection> SelectionSet);

/// <summary>A declared variable, e.g. <c>$id: String!</c>.</summary>
public sealed record GraphQLVariableDefinition(string Name, GraphQLTypeReference Type, GraphQLValue? DefaultValue);

/// <summary>A type as written in a document: a name, a list of a type, or a non-null type.</summary>
public abstract record GraphQLTypeReference
{
    /// <summary>The innermost named type (<c>[String!]!</c> → <c>String</c>).</summary>
    public abstract string NamedType { get; }
}

/// <summary>A bare type name.</summary>
public sealed record GraphQLNamedType(string Name) : GraphQLTypeReference
{
    /// <inheritdoc />
    public override string NamedType => Name;

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A list type, <c>[T]</c>.</summary>
public sealed record GraphQLListType(GraphQLTypeReference OfType) : GraphQLTypeReference
{
    /// <inheritdoc />
    public override string NamedType => OfType.NamedType;

    /// <inheritdoc />
    public override string ToString() => $"[{OfType}]";
}

/// <summary>A non-null type, <c>T!</c>.</summary>
public sealed record GraphQLNonNullType(GraphQLTypeReference OfType) : GraphQLTypeReference
{
    /// <inheritdoc />
    public override string NamedType => OfType.NamedType;

    /// <inheritdoc />
    public override string ToString() => $"{OfType}!";
}

/// <summary>An entry of a selection set.</summary>
public abstract record GraphQLSelection;

/// <summary>A field selection; <see cref="ResponseName"/> is the key it gets in the result.</summary>
public sealed record GraphQLField(
    string? Alias,
    string Name,
    IReadOnlyList<GraphQLArgument> Arguments,
    IReadOnlyList<GraphQLSelection> SelectionSet,
    int Line,
    int Column) : GraphQLSelection
{
    /// <summary>The alias when given, otherwise the field name.</summary>
    public string ResponseName => Alias ?? Name;
}

/// <summary><c>...FragmentName</c>.</summary>
public sealed record GraphQLFragmentSpread(string Name) : GraphQLSelection;

/// <summary><c>... on Type { … }</c>.</summary>
public sealed record GraphQLInlineFragment(string? TypeCondition, IReadOnlyList<GraphQLSelection> SelectionSet) : GraphQLSelection;

/// <summary>An argument, <c>name: value</c>.</summary>
public sealed record GraphQLArgument(string Name, GraphQLValue Value);

/// <summary>A value literal or variable reference.</summary>
public abstract record GraphQLValue;

/// <summary><c>$name</c>.</summary>
public sealed record GraphQLVariable(string Name) : GraphQLValue;

/// <summary>An integer literal, kept as written.</summary>
public sealed record GraphQLIntValue(string Text) : GraphQLValue;

/// <summary>A float literal, kept as written.</summary>
public sealed record GraphQLFloatValue(string Text) : GraphQLValue;

/// <summary>A string literal (escapes already decoded).</summary>
public sealed record GraphQLStringValue(string Value) : GraphQLValue;

/// <summary><c>true</c> or <c>false</c>.</summary>
public sealed record GraphQLBooleanValue(bool Value) : GraphQLValue;

/// <summary><c>null</c>.</summary>
public sealed record GraphQLNullValue : GraphQLValue;

/// <summary>An enum value such as <c>SUCCESS</c>.</summary>
public sealed record GraphQLEnumValue(string Name) : GraphQLValue;

/// <summary><c>[a, b]</c>.</summary>
public sealed record GraphQLListValue(IReadOnlyList<GraphQLValue> Items) : GraphQLValue;

/// <summary><c>{ key: value }</c>.</summary>
public sealed record GraphQLObjectValue(IReadOnlyList<GraphQLArgument> Fields) : GraphQLValue;

/// <summary>The document is not valid GraphQL syntax (or uses syntax this parser does not accept).</summary>
public sealed class GraphQLSyntaxException(string message, int line, int column)
    : Exception($"Syntax Error: {message} ({line}:{column})")
{
    /// <summary>1-based line of the offending token.</summary>
    public int Line { get; } = line;

    /// <summary>1-based column of the offending token.</summary>
    public int Column { get; } = column;
}
