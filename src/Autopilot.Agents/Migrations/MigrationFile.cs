using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Autopilot.Platforms.PostgreSql;

namespace Autopilot.Agents.Migrations;

/// <summary>
/// One migration file, <c>V&lt;number&gt;__&lt;name&gt;.sql</c>: its version orders it, its SHA-256 checksum pins what was
/// applied (a file changed after it was applied is refused, never applied again), and its destructive statements
/// (DROP, TRUNCATE, DELETE without WHERE) make the migration wait for a human's approval.
/// </summary>
/// <param name="Version">The number after <c>V</c>.</param>
/// <param name="FileName">The file name (without folder).</param>
/// <param name="Sql">The contents.</param>
/// <param name="Checksum">SHA-256 of the UTF-8 contents, lower-case hex.</param>
/// <param name="DestructiveStatements">The statements that destroy data or schema, as written.</param>
public sealed partial record MigrationFile(long Version, string FileName, string Sql, string Checksum, IReadOnlyList<string> DestructiveStatements)
{
    /// <summary>Whether <paramref name="fileName"/> is a migration file name (other files in the folder are ignored).</summary>
    public static bool IsMigrationName(string fileName) => FileNamePattern().IsMatch(fileName);

    /// <summary>Reads a migration file.</summary>
    /// <exception cref="FormatException">The name is not <c>V&lt;number&gt;__&lt;name&gt;.sql</c>.</exception>
    public static MigrationFile Parse(string fileName, string sql)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(sql);
        var match = FileNamePattern().Match(fileName);
        if (!match.Success || !long.TryParse(match.Groups["version"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new FormatException($"\"{fileName}\" is not a migration file name: expected V<number>__<name>.sql, e.g. V3__add_orders.sql");
        }

        var checksum = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sql))).ToLowerInvariant();
        return new MigrationFile(version, fileName, sql, checksum, SqlStatements.Split(sql).Where(IsDestructive).ToArray());
    }

    /// <summary>The script the database runs.</summary>
    public MigrationScript Script => new(Version, FileName, Sql, Checksum);

    /// <summary>DROP (any object), TRUNCATE, or a DELETE with no WHERE clause.</summary>
    public static bool IsDestructive(string statement)
    {
        var text = SqlStatements.WithoutComments(statement);
        return DropOrTruncate().IsMatch(text) || (DeleteFrom().IsMatch(text) && !Where().IsMatch(text));
    }

    [GeneratedRegex(@"^V(?<version>[0-9]{1,18})__(?<name>[A-Za-z0-9_.-]+)\.sql$")]
    private static partial Regex FileNamePattern();

    [GeneratedRegex(@"^(WITH\b.*\b)?(DROP|TRUNCATE)\b|\bALTER\s+TABLE\b.*\bDROP\b", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex DropOrTruncate();

    [GeneratedRegex(@"\bDELETE\s+FROM\b", RegexOptions.IgnoreCase)]
    private static partial Regex DeleteFrom();

    [GeneratedRegex(@"\bWHERE\b", RegexOptions.IgnoreCase)]
    private static partial Regex Where();
}
