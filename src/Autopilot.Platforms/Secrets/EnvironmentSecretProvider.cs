namespace Autopilot.Platforms.Secrets;

/// <summary>
/// Reads secrets from environment variables: <c>n8n-api-key</c> is read from <c>{prefix}N8N_API_KEY</c>.
/// The variable reader is injectable so tests need not mutate the process environment.
/// </summary>
public sealed class EnvironmentSecretProvider : ISecretProvider
{
    private readonly string _prefix;
    private readonly Func<string, string?> _readVariable;

    /// <summary>Creates a provider reading variables named <paramref name="prefix"/> + the upper-cased secret name.</summary>
    /// <param name="prefix">Prepended to every variable name, e.g. <c>AUTOPILOT_</c>; may be empty.</param>
    /// <param name="readVariable">Reads one variable; defaults to <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    public EnvironmentSecretProvider(string prefix = "", Func<string, string?>? readVariable = null)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        _prefix = prefix;
        _readVariable = readVariable ?? Environment.GetEnvironmentVariable;
    }

    /// <inheritdoc />
    public string Description => $"environment variables ({_prefix}*)";

    /// <summary>The variable a secret name maps to: upper case, '-' becomes '_'.</summary>
    public string VariableNameFor(SecretName name) => _prefix + name.Value.ToUpperInvariant().Replace('-', '_');

    /// <inheritdoc />
    public ValueTask<string?> TryFetchAsync(SecretName name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var value = _readVariable(VariableNameFor(name));
        return ValueTask.FromResult(string.IsNullOrEmpty(value) ? null : value);
    }
}
