using System.Text.Json.Nodes;
using Autopilot.Simulator.Railway;
using GraphQL.Types;

namespace Autopilot.Platforms.Tests.Railway;

/// <summary>
/// Railway's published schema (the verbatim SDL the simulator embeds, one copy in the repository) built as a schema of
/// the tests' own, apart from the one the fake serves; requests are checked with graphql-dotnet's validator (syntax,
/// every validation rule, variable coercion).
/// </summary>
public static class PublishedRailwaySchema
{
    private static readonly Lazy<ISchema> Lazy = new(() => RailwaySchema.Build(RailwaySchema.ReadEmbeddedSdl()));

    public static ISchema Schema => Lazy.Value;

    public static Task<IReadOnlyList<string>> ValidateAsync(string document, JsonObject? variables, string? operationName = null) =>
        RailwaySchema.ValidateAsync(Schema, document, variables, operationName);
}

/// <summary>
/// Sits under the Railway client in every test bed: each request that leaves the client is validated against the
/// published schema before it reaches the fake, and one that does not match fails the test that sent it.
/// </summary>
public sealed class SchemaCheckingHandler() : DelegatingHandler(new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var json = body is null ? null : JsonNode.Parse(body) as JsonObject;
        var query = (string?)json?["query"];
        if (query is null) throw new InvalidOperationException("The Railway client sent a request without a GraphQL document.");
        var problems = await PublishedRailwaySchema.ValidateAsync(query, json!["variables"] as JsonObject, (string?)json["operationName"]);
        if (problems.Count > 0)
            throw new InvalidOperationException($"The Railway client sent a request outside the published schema ({json["operationName"]}): {string.Join("; ", problems)}");
        return await base.SendAsync(request, cancellationToken);
    }
}
