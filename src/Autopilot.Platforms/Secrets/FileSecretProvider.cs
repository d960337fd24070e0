namespace Autopilot.Platforms.Secrets;

/// <summary>
/// Reads secrets from a directory holding one file per secret, named exactly like the secret (the layout of
/// Docker and Kubernetes secret mounts). Surrounding whitespace — usually the trailing newline an editor
/// adds — is trimmed; a file that is blank after trimming counts as absent rather than as an empty credential.
/// </summary>
public sealed class FileSecretProvider : ISecretProvider
{
    private readonly string _directory;

    /// <summary>Creates a provider over <paramref name="directory"/>, which need not exist yet.</summary>
    public FileSecretProvider(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _directory = Path.GetFullPath(directory);
    }

    /// <inheritdoc />
    public string Description => $"files in {_directory}";

    /// <inheritdoc />
    public async ValueTask<string?> TryFetchAsync(SecretName name, CancellationToken cancellationToken)
    {
        // SecretName admits only letters, digits, '-' and '_', so the path cannot leave the directory.
        var path = Path.Combine(_directory, name.Value);
        string content;
        try
        {
            content = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var value = content.Trim();
        return value.Length == 0 ? null : value;
    }
}
