namespace Autopilot.Simulator.Hosting;

/// <summary>
/// One request a fake received and the response it gave, captured verbatim so tests can check what a client
/// actually put on the wire (and what the fake answered) against the platform's published spec.
/// </summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path, unescaped.</param>
/// <param name="Query">Raw query string including the leading '?', or empty.</param>
/// <param name="RequestHeaders">Request headers (multi-valued headers joined with ", ").</param>
/// <param name="RequestBody">Request body as UTF-8 text.</param>
/// <param name="StatusCode">Status code the fake answered.</param>
/// <param name="ResponseHeaders">Response headers (multi-valued headers joined with ", ").</param>
/// <param name="ResponseBody">Response body as UTF-8 text.</param>
/// <param name="ReceivedAt">When the request arrived, on the fake's clock.</param>
public sealed record RecordedExchange(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> RequestHeaders,
    string RequestBody,
    int StatusCode,
    IReadOnlyDictionary<string, string> ResponseHeaders,
    string ResponseBody,
    DateTimeOffset ReceivedAt);
