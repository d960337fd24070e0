namespace Autopilot.Actors.Persistence.TCK.Postgres;

/// <summary>Where this machine's PostgreSQL server programs are: PATH, or Debian's /usr/lib/postgresql/*/bin.</summary>
internal sealed record PostgresBinaries(string InitDb, string PgCtl, string CreateDb)
{
    private static readonly string[] Programs = ["initdb", "pg_ctl", "postgres", "createdb"];

    /// <summary>Finds a directory holding every program, preferring the newest installed major version.</summary>
    /// <exception cref="InvalidOperationException">Names what is missing and where it looked.</exception>
    public static PostgresBinaries Locate()
    {
        var candidates = new List<string>();
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            candidates.AddRange(Directory.GetDirectories(debianRoot)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));

        var bestMissing = Programs.ToList();
        foreach (var directory in candidates)
        {
            var missing = Programs.Where(p => !File.Exists(Path.Combine(directory, p))).ToList();
            if (missing.Count == 0)
                return new PostgresBinaries(Path.Combine(directory, "initdb"), Path.Combine(directory, "pg_ctl"), Path.Combine(directory, "createdb"));
            if (missing.Count < bestMissing.Count)
                bestMissing = missing;
        }

        throw new InvalidOperationException(
            $"ThrowawayPostgres needs the PostgreSQL server programs {string.Join(", ", Programs)} in one directory, " +
            $"but could not find {string.Join(", ", bestMissing)} on PATH or in {debianRoot}/*/bin. " +
            "Install the PostgreSQL server (e.g. apt-get install postgresql).");
    }
}
