using System.Text;

namespace Autopilot.Actors.Configuration.Rendering;

/// <summary>
/// Writes a resolved configuration back as HOCON, e.g. for a "show effective configuration" command.
/// Values under secret-looking keys (see <see cref="SecretKeyPattern"/>) and under caller-supplied
/// paths are replaced by <see cref="MaskText"/>; the output parses back to the same tree otherwise.
/// </summary>
public static class HoconRenderer
{
    /// <summary>What a masked value is rendered as.</summary>
    public const string MaskText = "<masked>";

    private const string Indent = "  ";

    /// <summary>Renders the whole config (relative to its own root).</summary>
    public static string Render(Config config, HoconRenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= HoconRenderOptions.Default;
        var patterns = options.MaskedPaths.Select(HoconPath.Parse).ToList();
        var prefix = config.PathPrefix.Length == 0 ? [] : HoconPath.Parse(config.PathPrefix);
        var writer = new Writer(new StringBuilder(), patterns, options.ShowOrigins);
        writer.WriteFields(config.Root, prefix.ToList(), depth: 0, masked: false);
        return writer.Output.ToString();
    }

    private sealed class Writer(StringBuilder output, List<IReadOnlyList<string>> patterns, bool showOrigins)
    {
        public StringBuilder Output { get; } = output;

        public void WriteFields(HoconObject obj, List<string> path, int depth, bool masked)
        {
            foreach (var (key, value) in obj)
            {
                path.Add(key);
                var maskValue = masked || SecretKeyPattern.IsSecret(key) || patterns.Any(p => Matches(p, path));
                WriteIndent(depth);
                Output.Append(HoconPath.FormatSegment(key));
                if (value is HoconObject child)
                {
                    Output.Append(' ');
                    WriteObject(child, path, depth, maskValue);
                    Output.Append('\n');
                }
                else
                {
                    Output.Append(" = ");
                    WriteValue(value, path, depth, maskValue);
                    WriteOrigin(value);
                    Output.Append('\n');
                }

                path.RemoveAt(path.Count - 1);
            }
        }

        private void WriteObject(HoconObject obj, List<string> path, int depth, bool masked)
        {
            if (obj.Count == 0)
            {
                Output.Append("{}");
                return;
            }

            Output.Append("{\n");
            WriteFields(obj, path, depth + 1, masked);
            WriteIndent(depth);
            Output.Append('}');
        }

        private void WriteValue(HoconValue value, List<string> path, int depth, bool masked)
        {
            switch (value)
            {
                case HoconObject obj:
                    WriteObject(obj, path, depth, masked);
                    break;
                case HoconArray array when array.All(v => v is HoconScalar):
                    Output.Append('[');
                    for (var i = 0; i < array.Count; i++)
                    {
                        Output.Append(i == 0 ? string.Empty : ", ");
                        WriteValue(array[i], path, depth, masked);
                    }

                    Output.Append(']');
                    break;
                case HoconArray array:
                    Output.Append("[\n");
                    foreach (var item in array)
                    {
                        WriteIndent(depth + 1);
                        WriteValue(item, path, depth + 1, masked);
                        Output.Append(",\n");
                    }

                    WriteIndent(depth);
                    Output.Append(']');
                    break;
                case HoconScalar scalar when masked:
                    Output.Append(Quote(MaskText));
                    break;
                case HoconScalar { Kind: HoconScalarKind.String } scalar:
                    Output.Append(Quote(scalar.Text));
                    break;
                case HoconScalar scalar:
                    Output.Append(scalar.Text);
                    break;
            }
        }

        private void WriteOrigin(HoconValue value)
        {
            if (showOrigins)
            {
                Output.Append(" # ").Append(value.Origin);
            }
        }

        private void WriteIndent(int depth)
        {
            for (var i = 0; i < depth; i++)
            {
                Output.Append(Indent);
            }
        }

        private static bool Matches(IReadOnlyList<string> pattern, List<string> path)
        {
            if (pattern.Count != path.Count)
            {
                return false;
            }

            for (var i = 0; i < pattern.Count; i++)
            {
                if (pattern[i] != "*" && !string.Equals(pattern[i], path[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        private static string Quote(string text)
        {
            var quoted = new StringBuilder(text.Length + 2).Append('"');
            foreach (var c in text)
            {
                switch (c)
                {
                    case '"': quoted.Append("\\\""); break;
                    case '\\': quoted.Append("\\\\"); break;
                    case '\n': quoted.Append("\\n"); break;
                    case '\r': quoted.Append("\\r"); break;
                    case '\t': quoted.Append("\\t"); break;
                    case '\b': quoted.Append("\\b"); break;
                    case '\f': quoted.Append("\\f"); break;
                    default:
                        if (char.IsControl(c))
                        {
                            quoted.Append("\\u").Append(((int)c).ToString("x4"));
                        }
                        else
                        {
                            quoted.Append(c);
                        }

                        break;
                }
            }

            return quoted.Append('"').ToString();
        }
    }
}
