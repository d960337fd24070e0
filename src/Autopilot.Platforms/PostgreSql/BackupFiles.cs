using System.Globalization;

namespace Autopilot.Platforms.PostgreSql;

/// <summary>
/// Names of backup files and their retention. A name carries the database and the UTC time of the backup
/// (<c>&lt;database&gt;-yyyyMMddTHHmmssfffZ.dump</c>), so files sort by time and retention needs no other record.
/// </summary>
public static class BackupFiles
{
    private const string Format = "yyyyMMdd'T'HHmmssfff'Z'";
    private const string Extension = ".dump";

    /// <summary>The file name of a backup of <paramref name="database"/> taken at <paramref name="at"/>.</summary>
    public static string NameFor(string database, DateTimeOffset at) =>
        $"{database}-{at.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture)}{Extension}";

    /// <summary>
    /// Deletes the backups of <paramref name="database"/> in <paramref name="directory"/> older than
    /// <paramref name="retention"/> at <paramref name="now"/>; returns the deleted paths. Other files are never touched.
    /// </summary>
    public static IReadOnlyList<string> Prune(string directory, string database, TimeSpan retention, DateTimeOffset now)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var deleted = new List<string>();
        var prefix = $"{database}-";
        foreach (var path in Directory.EnumerateFiles(directory, $"{prefix}*{Extension}"))
        {
            var stamp = Path.GetFileName(path)[prefix.Length..^Extension.Length];
            if (DateTimeOffset.TryParseExact(stamp, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && now - at > retention)
            {
                File.Delete(path);
                deleted.Add(path);
            }
        }

        return deleted;
    }
}
