namespace Autopilot.Platforms.Secrets;

/// <summary>
/// One place secrets can live (environment, a directory of key files, a cloud secret manager). Providers fetch
/// and nothing more: caching, chaining and redaction are the <see cref="SecretStore"/>'s job, so each provider
/// stays a thin adapter over its source.
/// </summary>
public interface ISecretProvider
{
    /// <summary>Where this provider looks, for "not found" messages (never includes a value).</summary>
    string Description { get; }

    /// <summary>Fetches the secret's current value, or <c>null</c> when this source does not hold it.</summary>
    /// <remarks>Failures other than absence (denied access, an unreachable service) throw, so a broken source is not mistaken for a missing secret.</remarks>
    ValueTask<string?> TryFetchAsync(SecretName name, CancellationToken cancellationToken);
}
