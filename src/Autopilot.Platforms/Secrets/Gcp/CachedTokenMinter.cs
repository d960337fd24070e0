namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>
/// Holds a minted token and mints a new one only when it is about to expire. Concurrent callers share one
/// refresh instead of stampeding the token endpoint.
/// </summary>
internal sealed class CachedTokenMinter(Func<CancellationToken, Task<GoogleAccessToken>> mint, TimeProvider timeProvider)
{
    /// <summary>Tokens are renewed this long before they expire, so a request never leaves with a dying token.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private GoogleAccessToken? _current;

    public async ValueTask<GoogleAccessToken> GetAsync(CancellationToken cancellationToken)
    {
        if (IsFresh(_current))
        {
            return _current!;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!IsFresh(_current))
            {
                _current = await mint(cancellationToken).ConfigureAwait(false);
            }

            return _current!;
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool IsFresh(GoogleAccessToken? token) =>
        token is not null && token.ExpiresAt - RefreshMargin > timeProvider.GetUtcNow();
}
