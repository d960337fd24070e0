namespace Autopilot.Platforms.Secrets;

/// <summary>
/// Where every component gets its credentials. Values are fetched lazily, cached for a while, and registered
/// with the shared <see cref="Redaction.Redactor"/> the moment they are resolved, so no caller has to remember
/// to keep them out of logs.
/// </summary>
public interface ISecretStore
{
    /// <summary>Resolves a secret.</summary>
    /// <exception cref="SecretNotFoundException">No provider holds it.</exception>
    /// <exception cref="ArgumentException">The name is not a valid <see cref="SecretName"/>.</exception>
    Task<string> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Resolves a secret, or returns <c>null</c> when no provider holds it (optional credentials).</summary>
    Task<string?> TryGetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Forgets every cached value, so the next read sees a rotated secret.</summary>
    void Clear();
}
