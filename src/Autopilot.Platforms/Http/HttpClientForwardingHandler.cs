namespace Autopilot.Platforms.Http;

/// <summary>
/// Lets a library that insists on building its own <see cref="HttpClient"/> from a handler (Octokit, Google.Apis)
/// send through the product's <see cref="HttpClient"/> instead, so IHttpClientFactory handlers, proxies and test
/// fakes apply. Each request is handed on as a copy, since a request message can only be sent once.
/// </summary>
internal sealed class HttpClientForwardingHandler(HttpClient http, Action<HttpRequestMessage>? adjust = null, Func<CancellationToken>? ambientToken = null)
    : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, ambientToken?.Invoke() ?? CancellationToken.None);
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content, Version = request.Version };
        foreach (var header in request.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        adjust?.Invoke(copy);
        var response = await http.SendAsync(copy, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
        response.RequestMessage = request;
        return response;
    }
}
