using System.Text;

namespace Autopilot.Actors.Configuration;

/// <summary>
/// Dotted key paths such as <c>akka.remote."some.host".port</c>. Quoted segments may contain dots,
/// which is how keys containing dots are addressed.
/// </summary>
public static class HoconPath
{
    /// <summary>Splits a path expression into its segments.</summary>
    /// <exception cref="ConfigurationException">The path is empty, has an empty segment or an unterminated quote.</exception>
    public static IReadOnlyList<string> Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = new List<string>();
        var current = new StringBuilder();
        var segmentHasContent = false;
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '.')
            {
                if (!segmentHasContent)
                {
                    throw new ConfigurationException($"Invalid configuration path '{path}': empty segment at position {i + 1}.", path);
                }

                segments.Add(current.ToString());
                current.Clear();
                segmentHasContent = false;
            }
            else if (c == '"')
            {
                var end = path.IndexOf('"', i + 1);
                if (end < 0)
                {
                    throw new ConfigurationException($"Invalid configuration path '{path}': unterminated quote.", path);
                }

                current.Append(path, i + 1, end - i - 1);
                segmentHasContent = true;
                i = end;
            }
            else
            {
                current.Append(c);
                segmentHasContent = true;
            }
        }

        if (!segmentHasContent)
        {
            throw new ConfigurationException($"Invalid configuration path '{path}': it is empty or ends with '.'.", path);
        }

        segments.Add(current.ToString());
        return segments;
    }

    /// <summary>Joins segments into a path expression, quoting segments that would not read back as one segment.</summary>
    public static string Format(IEnumerable<string> segments) => string.Join('.', segments.Select(FormatSegment));

    /// <summary>Quotes a single key if it is not a plain word (letters, digits, '-', '_').</summary>
    public static string FormatSegment(string segment) =>
        segment.Length > 0 && segment.All(c => char.IsLetterOrDigit(c) || c == '-' || c == '_')
            ? segment
            : "\"" + segment.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
