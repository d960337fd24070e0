using Autopilot.Platforms.Http;
using Octokit;
using Octokit.Internal;

namespace Autopilot.Platforms.GitHub;

/// <summary>
/// An Octokit <see cref="Octokit.GitHubClient"/> whose requests leave through the product's
/// <see cref="HttpClient"/> (so IHttpClientFactory handlers, proxies and test fakes apply) and carry the
/// cancellation of the current resilience attempt, which most Octokit methods cannot take as a parameter.
/// Credentials are asked for on every request, so a refreshed token is picked up without rebuilding the client.
/// </summary>
internal sealed class OctokitConnection
{
    private static readonly AsyncLocal<CancellationToken> AttemptToken = new();

    public OctokitConnection(HttpClient http, GitHubClientOptions options, Func<CancellationToken, ValueTask<string>> token)
    {
        ArgumentNullException.ThrowIfNull(http);
        ApiVersion = options.ApiVersion;
        var connection = new Connection(
            new ProductHeaderValue(options.UserAgent),
            options.BaseAddress,
            new DelegateCredentialStore(token),
            new HttpClientAdapter(() => new HttpClientForwardingHandler(http, PinApiVersion, () => AttemptToken.Value)),
            new SimpleJsonSerializer());
        // The resilience pipeline owns per-attempt timeouts; Octokit's own 100 s limit would cut across it.
        connection.SetRequestTimeout(TimeSpan.FromDays(1));
        Client = new Octokit.GitHubClient(connection);
    }

    public Octokit.GitHubClient Client { get; }

    private string ApiVersion { get; }

    // Pin the REST API version the product was written against, whatever Octokit's default is.
    private void PinApiVersion(HttpRequestMessage request)
    {
        request.Headers.Remove("X-GitHub-Api-Version");
        request.Headers.TryAddWithoutValidation("X-GitHub-Api-Version", ApiVersion);
    }

    /// <summary>Runs one Octokit call with <paramref name="cancellationToken"/> applied to the requests it sends.</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var previous = AttemptToken.Value;
        AttemptToken.Value = cancellationToken;
        try
        {
            return await call().ConfigureAwait(false);
        }
        finally
        {
            AttemptToken.Value = previous;
        }
    }

    private sealed class DelegateCredentialStore(Func<CancellationToken, ValueTask<string>> token) : ICredentialStore
    {
        public async Task<Credentials> GetCredentials() =>
            new(await token(AttemptToken.Value).ConfigureAwait(false), AuthenticationType.Bearer);
    }
}
