using System.Text.Json.Serialization;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Migrations;

/// <summary>The steps of a migration that change something, each recorded before and after it is performed.</summary>
public static class MigrationSteps
{
    /// <summary>pg_dump of the target.</summary>
    public const string Backup = "backup";

    /// <summary>One file in its own transaction.</summary>
    public const string Apply = "apply";

    /// <summary>Verification queries after the files (read-only; recorded when it fails).</summary>
    public const string Verify = "verify";

    /// <summary>pg_restore of the backup.</summary>
    public const string Restore = "restore";
}

/// <summary>
/// The migrations worker is about to perform a step (journal <c>migrations-&lt;target&gt;</c>). Written before the step, so
/// after a crash the worker knows which step was under way and asks the target what became of it.
/// </summary>
/// <param name="Target">Target name.</param>
/// <param name="ActionId">The <c>migrate</c> action it belongs to.</param>
/// <param name="Step">backup, apply or restore.</param>
/// <param name="File">The file of an apply.</param>
/// <param name="Version">Its version.</param>
/// <param name="Checksum">Its SHA-256.</param>
/// <param name="Commit">The commit the files were read at.</param>
/// <param name="Backup">The backup file of a restore.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.migration_step_requested", Version = 1)]
public sealed record MigrationStepRequested(
    string Target, string ActionId, string Step, string? File, long? Version, string? Checksum, string? Commit, string? Backup, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Database;
}

/// <summary>What a step did (journal <c>migrations-&lt;target&gt;</c>).</summary>
/// <param name="Target">Target name.</param>
/// <param name="ActionId">The <c>migrate</c> action it belongs to.</param>
/// <param name="Step">backup, apply, verify or restore.</param>
/// <param name="File">The file of an apply.</param>
/// <param name="Succeeded">Whether it did what it should.</param>
/// <param name="Detail">The backup's path, the failing statement and error, the failed checks, … (redacted).</param>
/// <param name="Interrupted">True when recorded after a restart for a step the process died in.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.migration_step_recorded", Version = 1)]
public sealed record MigrationStepRecorded(
    string Target, string ActionId, string Step, string? File, bool Succeeded, string Detail, bool Interrupted, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Database;
}
