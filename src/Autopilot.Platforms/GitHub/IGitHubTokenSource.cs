namespace Autopilot.Platforms.GitHub;

/// <summary>Supplies the bearer token for GitHub API calls: a GitHub App installation token or a personal token.</summary>
public interface IGitHubTokenSource
{
    /// <summary>A token valid for at least the next few minutes.</summary>
    ValueTask<string> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>Forgets a token GitHub rejected (401), so the next call obtains a fresh one where possible.</summary>
    void Invalidate();
}

/// <summary>A fixed personal access token (classic or fine-grained). It cannot be refreshed.</summary>
public sealed class PersonalAccessTokenSource : IGitHubTokenSource
{
    private readonly string _token;

    /// <summary>Wraps <paramref name="token"/>; register it with the redactor through the client.</summary>
    public PersonalAccessTokenSource(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        _token = token;
    }

    /// <inheritdoc />
    public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_token);

    /// <inheritdoc />
    public void Invalidate()
    {
        // A personal token has no refresh path; the next call surfaces the 401 again.
    }

    /// <summary>The token is deliberately left out.</summary>
    public override string ToString() => nameof(PersonalAccessTokenSource);
}
