namespace Autopilot.Testing.PostgreSql;

/// <summary>
/// Where this machine's PostgreSQL server programs are: Debian's /usr/lib/postgresql/*/bin (newest major first),
/// then PATH. Databases are created over a connection (Npgsql), so only the server programs are needed.
/// </summary>
public sealed record PostgresBinaries(string InitDb, string PgCtl)
{
    private static readonly string[] Programs = ["initdb", "pg_ctl", "postgres"];
    private const string DebianRoot = "/usr/lib/postgresql";

    /// <summary>Finds one directory holding every server program.</summary>
    /// <exception cref="InvalidOperationException">Names what is missing and where it looked.</exception>
    public static PostgresBinaries Locate()
    {
        var candidates = new List<string>();
        if (Directory.Exists(DebianRoot))
        {
            candidates.AddRange(Directory.GetDirectories(DebianRoot)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));

        var bestMissing = Programs.ToList();
        foreach (var directory in candidates)
        {
            var missing = Programs.Where(p => !File.Exists(Path.Combine(directory, p))).ToList();
            if (missing.Count == 0)
                return new PostgresBinaries(Path.Combine(directory, "initdb"), Path.Combine(directory, "pg_ctl"));
            if (missing.Count < bestMissing.Count)
                bestMissing = missing;
        }

        throw new InvalidOperationException(
            $"ThrowawayPostgres needs the PostgreSQL server programs {string.Join(", ", Programs)} in one directory, " +
            $"but could not find {string.Join(", ", bestMissing)} on PATH or in {DebianRoot}/*/bin. " +
            "Install the PostgreSQL server (e.g. apt-get install postgresql).");
    }
}
