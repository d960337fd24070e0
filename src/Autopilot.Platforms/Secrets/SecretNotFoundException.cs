namespace Autopilot.Platforms.Secrets;

/// <summary>
/// No configured provider holds the requested secret. The message names the secret and every place searched —
/// enough to fix the deployment — and, by construction, never a value.
/// </summary>
public sealed class SecretNotFoundException : Exception
{
    /// <summary>Creates the exception for <paramref name="secretName"/> after searching <paramref name="searched"/>.</summary>
    public SecretNotFoundException(string secretName, IReadOnlyList<string> searched)
        : base($"Secret '{secretName}' was not found; searched: {(searched.Count == 0 ? "no providers configured" : string.Join("; ", searched))}.")
    {
        SecretName = secretName;
        Searched = searched;
    }

    /// <summary>The name that was asked for.</summary>
    public string SecretName { get; }

    /// <summary>Descriptions of the providers that were searched, in order.</summary>
    public IReadOnlyList<string> Searched { get; }
}
