using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Autopilot.Platforms.GitHub;

/// <summary>Reads RFC 8288 <c>Link</c> headers, which is how GitHub paginates lists.</summary>
public static partial class LinkHeader
{
    /// <summary>The URL with <c>rel="next"</c>, or null on the last page.</summary>
    public static Uri? Next(HttpResponseHeaders headers)
    {
        if (!headers.TryGetValues("Link", out var values)) return null;
        foreach (Match match in Entry().Matches(string.Join(",", values)))
        {
            if (match.Groups["rels"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("next"))
                return new Uri(match.Groups["url"].Value, UriKind.RelativeOrAbsolute);
        }
        return null;
    }

    [GeneratedRegex(@"<(?<url>[^>]+)>\s*;\s*rel=""(?<rels>[^""]+)""")]
    private static partial Regex Entry();
}
