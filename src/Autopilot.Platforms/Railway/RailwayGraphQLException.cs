using Autopilot.Platforms.Http;

namespace Autopilot.Platforms.Railway;

/// <summary>One entry of a GraphQL <c>errors</c> array.</summary>
/// <param name="Message">The server's message, redacted.</param>
/// <param name="Path">Response path the error belongs to (e.g. <c>["deployment"]</c>); empty for document-level errors.</param>
/// <param name="Code">The <c>extensions.code</c>, e.g. <c>GRAPHQL_VALIDATION_FAILED</c>, when given.</param>
public sealed record RailwayGraphQLError(string Message, IReadOnlyList<string> Path, string? Code);

/// <summary>
/// Railway answered with GraphQL <c>errors</c>: "Not Authorized" with HTTP 200 and null data, a validation
/// failure with HTTP 400, or a resolver error such as an unknown deployment. Not transient: the same document
/// will fail the same way.
/// </summary>
public sealed class RailwayGraphQLException : PlatformException
{
    /// <summary>Creates the exception from already-redacted errors.</summary>
    public RailwayGraphQLException(string operation, int statusCode, IReadOnlyList<RailwayGraphQLError> errors)
        : base("railway", Describe(operation, errors), statusCode, isTransient: false, retryAfter: null)
    {
        if (errors.Count == 0) throw new ArgumentException("At least one GraphQL error is required.", nameof(errors));
        Operation = operation;
        Errors = errors;
    }

    /// <summary>The GraphQL operation that failed.</summary>
    public string Operation { get; }

    /// <summary>All errors the server returned.</summary>
    public IReadOnlyList<RailwayGraphQLError> Errors { get; }

    /// <summary>Path of the first error.</summary>
    public IReadOnlyList<string> Path => Errors[0].Path;

    /// <summary><c>extensions.code</c> of the first error.</summary>
    public string? Code => Errors[0].Code;

    /// <summary>True when Railway refused the token for this operation ("Not Authorized").</summary>
    public bool IsNotAuthorized => Errors.Any(e => e.Message.Contains("Not Authorized", StringComparison.OrdinalIgnoreCase));

    private static string Describe(string operation, IReadOnlyList<RailwayGraphQLError> errors)
    {
        var first = errors.Count > 0 ? errors[0] : new RailwayGraphQLError("(no message)", [], null);
        var path = first.Path.Count > 0 ? $" at {string.Join('.', first.Path)}" : "";
        var code = first.Code is null ? "" : $" [{first.Code}]";
        var more = errors.Count > 1 ? $" (+{errors.Count - 1} more)" : "";
        return $"Railway {operation} failed{path}{code}: {first.Message}{more}";
    }
}
