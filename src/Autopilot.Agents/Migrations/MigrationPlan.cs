using Autopilot.Platforms.PostgreSql;

namespace Autopilot.Agents.Migrations;

/// <summary>
/// What a migration of a target would do: the files of the folder not yet in <c>schema_migrations</c>, in version order,
/// or why nothing may be done. Pure, so the dry-run, the start-up check and the real run judge alike.
/// </summary>
/// <param name="Pending">Files to apply, lowest version first.</param>
/// <param name="Refusal">Why the migration is refused (a changed checksum, a gap before an applied version, a duplicate version); null when it may run.</param>
public sealed record MigrationPlan(IReadOnlyList<MigrationFile> Pending, string? Refusal)
{
    /// <summary>The destructive statements of the pending files, as <c>file: statement</c>.</summary>
    public IReadOnlyList<string> Destructive => Pending.SelectMany(f => f.DestructiveStatements.Select(s => $"{f.FileName}: {s}")).ToArray();

    /// <summary>Compares the repository's files with what the target recorded.</summary>
    public static MigrationPlan Of(IReadOnlyList<MigrationFile> files, IReadOnlyList<AppliedMigration> applied)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(applied);
        if (files.GroupBy(f => f.Version).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            return new MigrationPlan([], $"version {duplicate.Key} is used by more than one file: {string.Join(", ", duplicate.Select(f => f.FileName))}");
        }

        var recorded = applied.ToDictionary(a => a.Version);
        foreach (var file in files)
        {
            if (recorded.TryGetValue(file.Version, out var done) && done.Checksum != file.Checksum)
            {
                return new MigrationPlan([],
                    $"{file.FileName} was changed after it was applied (checksum {Short(done.Checksum)} applied at {done.AppliedAt:u}, now {Short(file.Checksum)}); "
                    + "an applied migration is never applied again: revert the file and add a new migration");
            }
        }

        var pending = files.Where(f => !recorded.ContainsKey(f.Version)).OrderBy(f => f.Version).ToArray();
        var newest = applied.Count == 0 ? long.MinValue : applied.Max(a => a.Version);
        if (pending.FirstOrDefault(f => f.Version < newest) is { } late)
        {
            return new MigrationPlan([], $"{late.FileName} is older than V{newest}, which is already applied; migrations apply in version order only");
        }

        return new MigrationPlan(pending, null);
    }

    private static string Short(string checksum) => checksum.Length > 12 ? checksum[..12] : checksum;
}
