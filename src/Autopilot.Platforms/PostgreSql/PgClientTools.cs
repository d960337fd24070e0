namespace Autopilot.Platforms.PostgreSql;

/// <summary>
/// The PostgreSQL client programs a migration needs: <c>pg_dump</c> for the backup before anything is changed and
/// <c>pg_restore</c> for the way back. Located once, when a target is configured, so a missing program stops the start
/// instead of failing a migration after it began.
/// </summary>
/// <param name="PgDump">Path of pg_dump.</param>
/// <param name="PgRestore">Path of pg_restore.</param>
public sealed record PgClientTools(string PgDump, string PgRestore)
{
    /// <summary>Finds both programs in <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">A program is missing (the message names it and the directory).</exception>
    public static PgClientTools Locate(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var dump = Path.Combine(directory, "pg_dump");
        var restore = Path.Combine(directory, "pg_restore");
        var missing = new[] { dump, restore }.Where(p => !File.Exists(p)).Select(Path.GetFileName).ToArray();
        return missing.Length == 0
            ? new PgClientTools(dump, restore)
            : throw new FileNotFoundException(
                $"{string.Join(" and ", missing)} not found in {directory} (install the PostgreSQL 15 client programs, e.g. apt-get install postgresql-client-15)");
    }
}
