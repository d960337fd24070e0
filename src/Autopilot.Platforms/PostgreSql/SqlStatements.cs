using System.Text;

namespace Autopilot.Platforms.PostgreSql;

/// <summary>
/// Splits a PostgreSQL script into its statements at the semicolons that end them — not those inside quoted strings,
/// quoted identifiers, dollar-quoted bodies (functions) or comments. A migration runs statement by statement so the
/// one PostgreSQL refuses can be named (a constraint violation carries no position), and the destructive-statement
/// check reads statements, not lines.
/// </summary>
public static class SqlStatements
{
    /// <summary>The statements of <paramref name="sql"/>, trimmed, without their semicolons; comments stay in place, blank ones are dropped.</summary>
    public static IReadOnlyList<string> Split(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statements = new List<string>();
        var start = 0;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
            if (c == '-' && next == '-')
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (c == '/' && next == '*')
            {
                i = SkipBlockComment(sql, i);
            }
            else if (c == '\'')
            {
                var escapes = i > 0 && sql[i - 1] is 'E' or 'e' && (i < 2 || !IsIdentifierChar(sql[i - 2]));
                i = SkipQuoted(sql, i, '\'', escapes);
            }
            else if (c == '"')
            {
                i = SkipQuoted(sql, i, '"', backslashEscapes: false);
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var end = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + tag.Length;
            }
            else if (c == ';')
            {
                Add(statements, sql[start..i]);
                start = ++i;
            }
            else
            {
                i++;
            }
        }

        Add(statements, sql[start..]);
        return statements;
    }

    /// <summary>
    /// <paramref name="statement"/> without its comments, whitespace collapsed, quoted text kept: what keyword checks read.
    /// </summary>
    public static string WithoutComments(string statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var text = new StringBuilder(statement.Length);
        var i = 0;
        while (i < statement.Length)
        {
            var c = statement[i];
            var next = i + 1 < statement.Length ? statement[i + 1] : '\0';
            int end;
            if (c == '-' && next == '-')
            {
                end = statement.IndexOf('\n', i);
                i = end < 0 ? statement.Length : end + 1;
                text.Append(' ');
                continue;
            }

            if (c == '/' && next == '*')
            {
                i = SkipBlockComment(statement, i);
                text.Append(' ');
                continue;
            }

            end = c switch
            {
                '\'' => SkipQuoted(statement, i, '\'', backslashEscapes: false),
                '"' => SkipQuoted(statement, i, '"', backslashEscapes: false),
                '$' when DollarTag(statement, i) is { } tag => statement.IndexOf(tag, i + tag.Length, StringComparison.Ordinal) is var close and >= 0 ? close + tag.Length : statement.Length,
                _ => i + 1,
            };
            text.Append(statement, i, end - i);
            i = end;
        }

        return string.Join(' ', text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static void Add(List<string> statements, string statement)
    {
        var trimmed = statement.Trim();
        if (WithoutComments(trimmed).Length > 0)
        {
            statements.Add(trimmed);
        }
    }

    private static int SkipBlockComment(string sql, int i)
    {
        // PostgreSQL's block comments nest.
        var depth = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && i + 1 < sql.Length && sql[i + 1] == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }

        return sql.Length;
    }

    private static int SkipQuoted(string sql, int i, char quote, bool backslashEscapes)
    {
        i++;
        while (i < sql.Length)
        {
            if (backslashEscapes && sql[i] == '\\')
            {
                i += 2;
            }
            else if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2; // a doubled quote is part of the text
                }
                else
                {
                    return i + 1;
                }
            }
            else
            {
                i++;
            }
        }

        return sql.Length;
    }

    /// <summary>The <c>$tag$</c> opening at <paramref name="i"/>, or null when the <c>$</c> is a parameter or part of a name.</summary>
    private static string? DollarTag(string sql, int i)
    {
        if (i > 0 && IsIdentifierChar(sql[i - 1]))
        {
            return null;
        }

        var end = i + 1;
        while (end < sql.Length && (char.IsLetter(sql[end]) || sql[end] == '_' || (end > i + 1 && char.IsDigit(sql[end]))))
        {
            end++;
        }

        return end < sql.Length && sql[end] == '$' ? sql[i..(end + 1)] : null;
    }

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';
}
