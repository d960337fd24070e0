using System.Text.Json;

namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>
/// The fields of a service-account key file (the JSON downloaded from IAM) needed for the JWT-bearer grant.
/// <see cref="ToString"/> omits the private key so the record is safe to log.
/// </summary>
/// <param name="ClientEmail">The account, used as the JWT issuer.</param>
/// <param name="PrivateKeyId">Key id, sent as the JWT <c>kid</c> so Google picks the right public key.</param>
/// <param name="PrivateKeyPem">PKCS#8 RSA private key in PEM form.</param>
/// <param name="TokenUri">The OAuth token endpoint, also the JWT audience.</param>
/// <param name="ProjectId">The key's project, a sensible default for Secret Manager.</param>
public sealed record ServiceAccountKey(string ClientEmail, string PrivateKeyId, string PrivateKeyPem, Uri TokenUri, string? ProjectId)
{
    /// <summary>Reads a key file's JSON.</summary>
    /// <exception cref="FormatException">Not a service-account key, or a required field is missing. The message never quotes the file.</exception>
    public static ServiceAccountKey Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            throw new FormatException("Service-account key is not valid JSON.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("Service-account key must be a JSON object.");
            }

            var type = Optional(root, "type");
            if (type is not null && type != "service_account")
            {
                throw new FormatException($"Key type '{type}' is not 'service_account'.");
            }

            var tokenUri = Required(root, "token_uri");
            if (!Uri.TryCreate(tokenUri, UriKind.Absolute, out var parsedTokenUri))
            {
                throw new FormatException("Service-account key has an invalid token_uri.");
            }

            return new ServiceAccountKey(
                Required(root, "client_email"),
                Required(root, "private_key_id"),
                Required(root, "private_key"),
                parsedTokenUri,
                Optional(root, "project_id"));
        }
    }

    /// <summary>Describes the key without its private part.</summary>
    public override string ToString() => $"ServiceAccountKey {{ ClientEmail = {ClientEmail}, PrivateKeyId = {PrivateKeyId}, TokenUri = {TokenUri} }}";

    private static string Required(JsonElement root, string name) =>
        Optional(root, name) ?? throw new FormatException($"Service-account key has no '{name}'.");

    private static string? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;
}
