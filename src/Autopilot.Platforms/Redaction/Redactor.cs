using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Autopilot.Platforms.Redaction;

/// <summary>
/// Scrubs secrets from text before it reaches a log, an exception message or a recorded snippet. Two layers:
/// exact values registered at runtime (the tokens and keys actually loaded) and shapes that look like a secret
/// whatever their value (<c>token=…</c>, <c>Bearer …</c>, <c>Authorization: …</c>, PEM private keys).
/// </summary>
/// <remarks>
/// One instance is shared by everything that talks to platforms; registration is lock-free copy-on-write, so
/// redaction never blocks and always sees a consistent set.
/// </remarks>
public sealed partial class Redactor
{
    /// <summary>What replaces a redacted value.</summary>
    public const string Mask = "[REDACTED]";

    /// <summary>Values shorter than this are not registered: masking them would shred ordinary text.</summary>
    public const int MinimumSecretLength = 4;

    private ImmutableArray<string> _secrets = [];

    /// <summary>Registers a secret value so every later <see cref="Redact"/> masks it; short or empty values are ignored.</summary>
    public void Register(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < MinimumSecretLength) return;
        ImmutableInterlocked.Update(ref _secrets, current =>
            current.Contains(secret, StringComparer.Ordinal)
                ? current
                // Longest first, so a secret containing another is masked whole.
                : current.Add(secret).Sort((a, b) => b.Length.CompareTo(a.Length)));
    }

    /// <summary>Returns <paramref name="text"/> with every registered secret and secret-shaped value masked.</summary>
    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return string.Empty;
        var result = text;
        foreach (var secret in _secrets)
            result = result.Replace(secret, Mask, StringComparison.Ordinal);
        result = PrivateKeyBlock().Replace(result, Mask);
        result = AuthorizationHeader().Replace(result, "$1" + Mask);
        result = BearerToken().Replace(result, "$1" + Mask);
        result = NamedSecret().Replace(result, "$1" + Mask);
        return result;
    }

    /// <summary>
    /// The kinds of secret found in <paramref name="text"/> by the same patterns <see cref="Redact"/> masks (a registered
    /// value, a PEM private key, an <c>Authorization</c> header, a bearer token, a <c>token=</c>/<c>password:</c>-style
    /// assignment), each kind once, in that order; empty when none. Never returns the values themselves, so the answer
    /// can be recorded (the readiness gate scans a commit's added lines with it).
    /// </summary>
    public IReadOnlyList<string> SecretKindsIn(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var kinds = new List<string>();
        if (_secrets.Any(secret => text.Contains(secret, StringComparison.Ordinal))) kinds.Add(SecretKinds.Registered);
        if (PrivateKeyBlock().IsMatch(text)) kinds.Add(SecretKinds.PrivateKey);
        if (AuthorizationHeader().IsMatch(text)) kinds.Add(SecretKinds.AuthorizationHeader);
        if (BearerToken().IsMatch(text)) kinds.Add(SecretKinds.BearerToken);
        if (NamedSecret().IsMatch(text)) kinds.Add(SecretKinds.NamedSecret);
        return kinds;
    }

    /// <summary>The names <see cref="SecretKindsIn"/> reports.</summary>
    public static class SecretKinds
    {
        /// <summary>A value registered with <see cref="Register"/> (a secret the process actually holds).</summary>
        public const string Registered = "registered-secret";

        /// <summary>A PEM private key block.</summary>
        public const string PrivateKey = "private-key";

        /// <summary>An <c>Authorization:</c> header with its value.</summary>
        public const string AuthorizationHeader = "authorization-header";

        /// <summary>A <c>Bearer …</c> token.</summary>
        public const string BearerToken = "bearer-token";

        /// <summary>An <c>api_key</c>, <c>password</c>, <c>token</c> or <c>secret</c> followed by <c>=</c> or <c>:</c> and a value.</summary>
        public const string NamedSecret = "named-secret";
    }

    /// <summary>
    /// A redacted prefix of a response body for journals and error messages. Redaction happens before truncation
    /// so a secret cut in half by the limit can never slip through unrecognised.
    /// </summary>
    public string Snippet(string? body, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        var redacted = Redact(body);
        return redacted.Length <= maxLength ? redacted : string.Concat(redacted.AsSpan(0, maxLength), "…");
    }

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)")]
    private static partial Regex PrivateKeyBlock();

    [GeneratedRegex(@"(authorization[""']?\s*[:=]\s*[""']?)[^\r\n""']+", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorizationHeader();

    [GeneratedRegex(@"(bearer\s+)(?!\[REDACTED\])[^\s""',;]+", RegexOptions.IgnoreCase)]
    private static partial Regex BearerToken();

    // A quoted value is masked up to its closing quote (it may contain spaces); a bare one up to whitespace.
    [GeneratedRegex(@"((?:api[_-]?key|password|token|secret)[""']?\s*[:=]\s*)(?!\[REDACTED\])(""[^""]*""?|'[^']*'?|\S+)", RegexOptions.IgnoreCase)]
    private static partial Regex NamedSecret();
}
