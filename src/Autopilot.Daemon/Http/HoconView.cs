using System.Text;
using System.Text.Json;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Autopilot.Daemon.Http;

/// <summary>
/// Renders an Akka <see cref="Config"/> as HOCON text for <c>/api/config</c> with secrets masked: every key whose last
/// segment looks secret (token, secret, password, key, connection-string) and every path in the masked list
/// (<c>*</c> matches one segment) shows <c>"***"</c> when it has a value.
/// </summary>
public static class HoconView
{
    private const string Mask = "\"***\"";
    private static readonly string[] SecretMarkers = ["token", "secret", "password", "key", "connection-string"];

    /// <summary>The configuration as HOCON text.</summary>
    public static string Render(Config config, IReadOnlyList<string> maskedPaths)
    {
        ArgumentNullException.ThrowIfNull(config);
        var output = new StringBuilder();
        if (!config.IsEmpty && config.Root.IsObject())
        {
            Write(output, config.Root.GetObject(), [], 0, maskedPaths);
        }

        return output.ToString();
    }

    private static void Write(StringBuilder output, HoconObject node, List<string> path, int depth, IReadOnlyList<string> maskedPaths)
    {
        foreach (var (key, value) in node.Items.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            path.Add(key);
            var indent = new string(' ', depth * 2);
            var name = Quote(key);
            if (value.IsObject())
            {
                output.Append(indent).Append(name).Append(" {\n");
                Write(output, value.GetObject(), path, depth + 1, maskedPaths);
                output.Append(indent).Append("}\n");
            }
            else if (IsMasked(path, maskedPaths) && !value.IsEmpty)
            {
                output.Append(indent).Append(name).Append(" = ").Append(Mask).Append('\n');
            }
            else if (value.IsArray())
            {
                var items = value.GetArray().Select(v => v.IsString() ? JsonSerializer.Serialize(v.GetString()) : "{...}");
                output.Append(indent).Append(name).Append(" = [").Append(string.Join(", ", items)).Append("]\n");
            }
            else
            {
                var text = value.IsEmpty ? null : value.GetString();
                output.Append(indent).Append(name).Append(" = ").Append(text is null ? "null" : JsonSerializer.Serialize(text)).Append('\n');
            }

            path.RemoveAt(path.Count - 1);
        }
    }

    private static bool IsMasked(List<string> path, IReadOnlyList<string> maskedPaths)
    {
        var last = path[^1];
        if (SecretMarkers.Any(m => last.Contains(m, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        foreach (var pattern in maskedPaths)
        {
            var parts = pattern.Split('.');
            if (parts.Length == path.Count && parts.Zip(path, (part, segment) => part == "*" || string.Equals(part, segment, StringComparison.Ordinal)).All(match => match))
            {
                return true;
            }
        }

        return false;
    }

    private static string Quote(string key) =>
        key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') && key.Length > 0 ? key : JsonSerializer.Serialize(key);
}
