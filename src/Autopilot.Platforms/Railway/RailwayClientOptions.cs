using Autopilot.Platforms.Http;

namespace Autopilot.Platforms.Railway;

/// <summary>Which kind of Railway token is configured; it decides the header it travels in.</summary>
public enum RailwayTokenKind
{
    /// <summary>Account, team or workspace token: <c>Authorization: Bearer …</c>.</summary>
    Account,

    /// <summary>Project token, scoped to one project and environment: <c>Project-Access-Token: …</c>.</summary>
    Project,
}

/// <summary>How to reach Railway.</summary>
/// <param name="Token">The API token (a secret: registered with the redactor on client creation).</param>
/// <param name="TokenKind">Which header carries it.</param>
public sealed record RailwayClientOptions(string Token, RailwayTokenKind TokenKind)
{
    /// <summary>Railway's public GraphQL endpoint.</summary>
    public static readonly Uri DefaultEndpoint = new("https://backboard.railway.com/graphql/v2");

    /// <summary>GraphQL endpoint; point it at a fake in tests and drills.</summary>
    public Uri Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>Retry and timeout policy.</summary>
    public PlatformCallOptions Call { get; init; } = PlatformCallOptions.Default;

    /// <summary>How many characters of a response body may appear in logs and errors (after redaction).</summary>
    public int SnippetLength { get; init; } = 300;

    /// <summary>The token is deliberately left out.</summary>
    public override string ToString() => $"RailwayClientOptions {{ Endpoint = {Endpoint}, TokenKind = {TokenKind} }}";
}
