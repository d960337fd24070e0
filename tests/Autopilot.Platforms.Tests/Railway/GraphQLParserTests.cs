using Autopilot.Simulator.Railway.GraphQL;
using Xunit;

namespace Autopilot.Platforms.Tests.Railway;

public sealed class GraphQLParserTests
{
    [Fact]
    public void Parses_operations_variables_aliases_arguments_and_fragments()
    {
        const string text = """
            # leading comment
            query Latest($input: DeploymentListInput!, $first: Int = 5, $tags: [String!]) {
              latest: deployments(input: $input, first: $first) {
                edges { node { ...F  ... on Deployment { url } } }
              }
              literal: deployments(input: { status: { in: [SUCCESS, FAILED] }, serviceId: "s\"1\u0041", includeDeleted: false }, first: -2) { pageInfo { hasNextPage } }
            }
            fragment F on Deployment { id status }
            """;

        var document = GraphQLDocument.Parse(text);

        var operation = Assert.Single(document.Operations);
        Assert.Equal((GraphQLOperationType.Query, "Latest"), (operation.Type, operation.Name));
        Assert.Equal(["$input: DeploymentListInput!", "$first: Int", "$tags: [String!]"], operation.Variables.Select(v => $"${v.Name}: {v.Type}"));
        Assert.Equal(new GraphQLIntValue("5"), operation.Variables[1].DefaultValue);
        var latest = Assert.IsType<GraphQLField>(operation.SelectionSet[0]);
        Assert.Equal(("latest", "deployments", "latest"), (latest.Alias, latest.Name, latest.ResponseName));
        Assert.Equal(new GraphQLVariable("input"), latest.Arguments[0].Value);
        var literal = Assert.IsType<GraphQLField>(operation.SelectionSet[1]);
        var input = Assert.IsType<GraphQLObjectValue>(literal.Arguments[0].Value);
        Assert.Equal(new GraphQLStringValue("s\"1A"), input.Fields[1].Value);
        Assert.Equal(new GraphQLBooleanValue(false), input.Fields[2].Value);
        var statuses = Assert.IsType<GraphQLListValue>(Assert.IsType<GraphQLObjectValue>(input.Fields[0].Value).Fields[0].Value);
        Assert.Equal([new GraphQLEnumValue("SUCCESS"), new GraphQLEnumValue("FAILED")], statuses.Items);
        Assert.Equal(new GraphQLIntValue("-2"), literal.Arguments[1].Value);
        Assert.Equal(["id", "status"], document.Fragments["F"].SelectionSet.Cast<GraphQLField>().Select(f => f.Name));
        var node = (GraphQLField)((GraphQLField)((GraphQLField)latest.SelectionSet[0]).SelectionSet[0]);
        Assert.Equal(new GraphQLFragmentSpread("F"), node.SelectionSet[0]);
        Assert.Equal("Deployment", Assert.IsType<GraphQLInlineFragment>(node.SelectionSet[1]).TypeCondition);
    }

    [Fact]
    public void An_anonymous_shorthand_query_is_one_query_operation()
    {
        var document = GraphQLDocument.Parse("{ me { id } }");

        Assert.Equal(GraphQLOperationType.Query, document.SelectOperation(null).Type);
    }

    [Fact]
    public void Block_strings_floats_and_field_positions_are_read()
    {
        var document = GraphQLDocument.Parse("query {\n  a(x: \"\"\"\n  multi\n  line\n\"\"\", y: 1.5e3)\n  b\n}");

        var fields = document.Operations[0].SelectionSet.Cast<GraphQLField>().ToArray();
        Assert.Equal(new GraphQLFloatValue("1.5e3"), fields[0].Arguments[1].Value);
        Assert.Contains("multi", ((GraphQLStringValue)fields[0].Arguments[0].Value).Value);
        Assert.Equal((6, 3), (fields[1].Line, fields[1].Column));
    }

    [Theory]
    [InlineData("", 1, 1)]
    [InlineData("query { a(x: ) }", 1, 14)]
    [InlineData("query {\n  a\n", 3, 1)]
    [InlineData("query { a @include(if: true) }", 1, 11)]
    [InlineData("query { a(x: \"unterminated) }", 1, 14)]
    [InlineData("fragment F on T { a }", 1, 22)]
    public void Malformed_documents_are_rejected_with_a_position(string text, int line, int column)
    {
        var error = Assert.Throws<GraphQLSyntaxException>(() => GraphQLDocument.Parse(text));

        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Fact]
    public void Choosing_among_several_operations_needs_a_name()
    {
        var document = GraphQLDocument.Parse("query A { a } query B { b }");

        Assert.Equal("B", document.SelectOperation("B").Name);
        Assert.Throws<GraphQLSyntaxException>(() => document.SelectOperation(null));
        Assert.Throws<GraphQLSyntaxException>(() => document.SelectOperation("C"));
    }
}
