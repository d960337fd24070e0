using System.Collections.Concurrent;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Platforms.Secrets;

/// <summary>
/// The <see cref="ISecretStore"/>: asks its providers in order and takes the first that holds the secret
/// (e.g. environment overrides, then mounted files, then Secret Manager), caches the value for
/// <see cref="SecretStoreOptions.CacheTtl"/> on the injected clock, and registers it with the
/// <see cref="Redactor"/> before handing it out.
/// </summary>
/// <remarks>
/// Absence is not cached, so a secret created after a miss is found on the next read. A provider that fails
/// (denied, unreachable) stops the search with its exception rather than silently falling through to a later,
/// possibly stale, source.
/// </remarks>
public sealed class SecretStore : ISecretStore
{
    private readonly IReadOnlyList<ISecretProvider> _providers;
    private readonly Redactor _redactor;
    private readonly SecretStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<SecretName, CachedSecret> _cache = new();

    /// <summary>Creates a store over <paramref name="providers"/>, searched in the given order.</summary>
    public SecretStore(IEnumerable<ISecretProvider> providers, Redactor redactor, SecretStoreOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(redactor);
        _providers = providers.ToArray();
        _redactor = redactor;
        _options = options ?? SecretStoreOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.CacheTtl, TimeSpan.Zero);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<string> GetAsync(string name, CancellationToken cancellationToken = default) =>
        await TryGetAsync(name, cancellationToken).ConfigureAwait(false)
        ?? throw new SecretNotFoundException(name, _providers.Select(p => p.Description).ToArray());

    /// <inheritdoc />
    public async Task<string?> TryGetAsync(string name, CancellationToken cancellationToken = default)
    {
        var secretName = SecretName.Parse(name);
        var now = _timeProvider.GetUtcNow();
        if (_cache.TryGetValue(secretName, out var cached) && now < cached.ExpiresAt)
        {
            return cached.Value;
        }

        foreach (var provider in _providers)
        {
            var value = await provider.TryFetchAsync(secretName, cancellationToken).ConfigureAwait(false);
            if (value is null)
            {
                continue;
            }

            _redactor.Register(value);
            if (_options.CacheTtl > TimeSpan.Zero)
            {
                _cache[secretName] = new CachedSecret(value, _timeProvider.GetUtcNow() + _options.CacheTtl);
            }

            return value;
        }

        return null;
    }

    /// <inheritdoc />
    public void Clear() => _cache.Clear();

    private sealed record CachedSecret(string Value, DateTimeOffset ExpiresAt);
}
