using Autopilot.Agents.Protocol;
using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Migrations;

/// <summary>
/// The <c>migrate</c> action (recorded by the orchestrator, answered with one <see cref="WorkerResult"/>): read the
/// files at <paramref name="Commit"/>, then readiness (the target answers, its advisory lock is free) → backup → apply
/// each pending file in its own transaction → verify → or restore from the backup on any failure.
/// </summary>
/// <param name="ActionId">The action id.</param>
/// <param name="Target">The target's name.</param>
/// <param name="Commit">The commit to read the files at; null for the head of the watched branch.</param>
/// <param name="DryRun">Only say what would be applied; change nothing, take no backup.</param>
/// <param name="Approved">The destructive statements the decision knew of (a human approved them), as the orchestrator
/// recorded them; a run whose plan holds any other destructive statement is refused, so a file pushed between the check
/// and the run, or a migration asked for as a task, never drops or deletes data without a human.</param>
public sealed record ApplyMigrations(string ActionId, string Target, string? Commit, bool DryRun = false, string? Approved = null) : IWorkerCommand;

/// <summary>
/// Look for pending files (read-only; no action): sent by the orchestrator for a push touching the migrations folder or
/// an operator's <c>autopilot migrate</c>, and by the worker to itself when it starts. Pending files are reported to
/// the orchestrator as <see cref="MigrationsPending"/>, a refusal as <see cref="MigrationsRefused"/>.
/// </summary>
/// <param name="Commit">The commit to read the files at; null for the head of the watched branch.</param>
/// <param name="Trigger">What asked: <c>push</c>, <c>start-up</c> or <c>operator</c>.</param>
public sealed record CheckMigrations(string? Commit, string Trigger);

/// <summary>Reported to the orchestrator: files wait to be applied to a target.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Commit">The commit they were read at (what <c>migrate</c> will apply).</param>
/// <param name="Files">The pending files, in order.</param>
/// <param name="Destructive">Their destructive statements (<c>file: statement</c>); any of them makes the migration wait for approval.</param>
/// <param name="Trigger">What asked for the check.</param>
public sealed record MigrationsPending(string Target, string Commit, IReadOnlyList<string> Files, IReadOnlyList<string> Destructive, string Trigger);

/// <summary>Reported to the orchestrator: the files cannot be applied (e.g. an applied file's checksum changed); nothing was applied.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Commit">The commit the files were read at.</param>
/// <param name="Reason">Why, redacted.</param>
public sealed record MigrationsRefused(string Target, string Commit, string Reason);

/// <summary>
/// Reported to the orchestrator once after a restart when the worker's journal shows a step that was requested and never
/// recorded (the process died mid-step): what the target says became of it.
/// </summary>
/// <param name="Target">The target's name.</param>
/// <param name="Step">The interrupted step: backup, apply or restore.</param>
/// <param name="File">The file of an interrupted apply.</param>
/// <param name="Outcome">What happened to it, in words (committed, rolled back, restore unfinished).</param>
/// <param name="NeedsHuman">True when the database may be in an unknown state (an unfinished restore).</param>
public sealed record MigrationInterrupted(string Target, string Step, string? File, string Outcome, bool NeedsHuman);

/// <summary>
/// <c>autopilot migrate &lt;target&gt; [--dry-run]</c> (operator role). A dry-run is answered with what would be applied
/// (a <see cref="ControlAck"/> whose message lists it); otherwise the pending files are looked up and migrated under the
/// policy like a push (pause, dry-run, budget, approval for destructive statements), and the answer says so.
/// </summary>
/// <param name="Target">The target's name.</param>
/// <param name="DryRun">Only report the plan.</param>
/// <param name="RequestedBy">Who asked, for the audit log.</param>
[EventManifest("autopilot.control.run_migrations")]
public sealed record RunMigrations(string Target, bool DryRun, string RequestedBy);
