using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.Protocol;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.PostgreSql;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Agents.Migrations;

/// <summary>
/// The migrations worker of one target database (child <c>migrations-&lt;target&gt;</c> of the orchestrator). It reads
/// the <c>V&lt;number&gt;__&lt;name&gt;.sql</c> files through the GitHub client and reports what is pending; the
/// orchestrator decides (policy, pause, dry-run, budget, approval for destructive statements) and sends
/// <see cref="ApplyMigrations"/>: readiness (the target answers, its advisory lock is free) → pg_dump backup → each file in
/// its own transaction with its <c>schema_migrations</c> row → verification queries → and, when a file or a check fails,
/// pg_restore of the backup, verified. Every step that changes something is journaled here before and after it runs
/// (<see cref="MigrationStepRequested"/>, <see cref="MigrationStepRecorded"/>); a step found open after a restart is
/// settled by asking the target (<c>schema_migrations</c> is written in the file's own transaction, so it is exact) and
/// reported as <see cref="MigrationInterrupted"/> — nothing is applied twice.
/// </summary>
public sealed class MigrationsWorker : ReceivePersistentActor
{
    /// <summary>The start of a successful result's detail when nothing was pending (no INFO alert follows).</summary>
    public const string UpToDate = "up to date";

    /// <summary>The start of the error of a failed restore.</summary>
    public const string ManualIntervention = "manual intervention required";

    private static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(60);

    private readonly MigrationTarget _target;
    private readonly IMigrationDatabase _database;
    private readonly IGitHubClient _github;
    private readonly Redactor _redactor;
    private readonly IActionFence _fence;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, List<string>> _checksumsByAction = new(StringComparer.Ordinal);
    private readonly HashSet<string> _failedChecksums = new(StringComparer.Ordinal);
    private readonly IScheduler _clock;
    private MigrationStepRequested? _open;
    private string? _running;
    private bool _checking;
    private bool _reconciling;

    /// <summary>Creates the worker; prefer <see cref="Props"/>.</summary>
    public MigrationsWorker(MigrationTarget target, IMigrationDatabase database, IGitHubClient github, Redactor redactor, IActionFence fence)
    {
        _target = target;
        _database = database;
        _github = github;
        _redactor = redactor;
        _fence = fence;
        _clock = Context.System.Scheduler; // read off the actor too (runs, reconciliation): the scheduler's clock is thread-safe

        Recover<MigrationStepRequested>(Track);
        Recover<MigrationStepRecorded>(Track);
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<CheckMigrations>(OnCheck);
        Command<ApplyMigrations>(OnApply);
        Command<Record>(record =>
        {
            var replyTo = Sender;
            Persist(record.Event, e =>
            {
                if (e is MigrationStepRequested requested)
                {
                    Track(requested);
                }
                else if (e is MigrationStepRecorded recorded)
                {
                    Track(recorded);
                }

                replyTo.Tell(Recorded.Instance);
            });
        });
        Command<RunFinished>(finished =>
        {
            _running = null;
            finished.ReplyTo.Tell(finished.Result);
            Stash.UnstashAll(); // checks that came during the run look again now: the run may have applied their files
        });
        Command<PendingFound>(found => Context.Parent.Tell(new WorkerReport(Name, found.Report)));
        Command<CheckFinished>(finished =>
        {
            _checking = false;
            if (finished.Report is { } report)
            {
                Context.Parent.Tell(new WorkerReport(Name, report));
            }

            Stash.UnstashAll();
        });
        Command<Reconciled>(reconciled => Persist(reconciled.Record, e =>
        {
            _reconciling = false;
            Track(e);
            Context.Parent.Tell(new WorkerReport(Name, reconciled.Report));
            Stash.UnstashAll();
            StartUpCheck();
        }));
    }

    /// <summary>The worker's name under the orchestrator (and in audit events and reports).</summary>
    public static string WorkerName(string target) => $"{WorkerNames.MigrationsPrefix}{target}";

    /// <summary>Props of the worker of <paramref name="target"/>.</summary>
    public static Props Props(MigrationTarget target, IMigrationDatabase database, IGitHubClient github, Redactor? redactor = null, IActionFence? fence = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(github);
        var secrets = redactor ?? new Redactor();
        ConnectionStringSecrets.Register(secrets, target.ConnectionString);
        var actions = fence ?? ActionFence.Unfenced;
        return Akka.Actor.Props.Create(() => new MigrationsWorker(target, database, github, secrets, actions));
    }

    /// <inheritdoc />
    public override string PersistenceId => $"migrations-{_target.Name}";

    private string Name => WorkerName(_target.Name);

    private DateTimeOffset Now => _clock.Now;

    /// <inheritdoc />
    protected override void PreStart()
    {
        IncarnationStarted.Announce(Context);
        base.PreStart();
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private void Track(MigrationStepRequested requested)
    {
        _open = requested;
        if (requested is { Step: MigrationSteps.Apply, Checksum: { } checksum })
        {
            if (!_checksumsByAction.TryGetValue(requested.ActionId, out var checksums))
            {
                _checksumsByAction[requested.ActionId] = checksums = [];
            }

            checksums.Add(checksum);
        }
    }

    private void Track(MigrationStepRecorded recorded)
    {
        if (_open is { } open && open.ActionId == recorded.ActionId && open.Step == recorded.Step)
        {
            _open = null;
        }

        // A run whose file or verification failed is not started again on its own for the same contents: the start-up
        // check and pushes hold it until a file changes or an operator runs `autopilot migrate`.
        if (!recorded.Succeeded && !recorded.Interrupted && recorded.Step is MigrationSteps.Apply or MigrationSteps.Verify
            && _checksumsByAction.TryGetValue(recorded.ActionId, out var checksums))
        {
            _failedChecksums.UnionWith(checksums);
        }
    }

    private void OnRecovered()
    {
        if (_open is { } open)
        {
            _reconciling = true;
            var self = Self;
            ReconcileAsync(open, _stopping.Token).PipeTo(self, failure: e =>
                Interrupted(open, $"could not be settled ({_redactor.Redact(e.GetBaseException().Message)}); check schema_migrations of {_target.Name}", true));
            return;
        }

        StartUpCheck();
    }

    private void StartUpCheck()
    {
        if (_target.CheckAtStart)
        {
            Self.Tell(new CheckMigrations(null, "start-up"));
        }
    }

    // ---- crash recovery ----

    private async Task<Reconciled> ReconcileAsync(MigrationStepRequested open, CancellationToken ct)
    {
        switch (open.Step)
        {
            case MigrationSteps.Apply:
                await using (var session = await _database.LockAsync(ct).ConfigureAwait(false))
                {
                    var applied = await session.AppliedAsync(ct).ConfigureAwait(false);
                    var committed = applied.Any(a => a.Version == open.Version && a.Checksum == open.Checksum);
                    return Interrupted(open, committed
                        ? $"{open.File} had committed before the interruption (it is in schema_migrations); it is not applied again"
                        : $"{open.File} had not committed: PostgreSQL rolled its transaction back, nothing of it is applied; the files before it stay applied", false, committed);
                }

            case MigrationSteps.Backup:
                return Interrupted(open, "the backup was cut off before any file was applied; nothing was changed", false);
            default:
                return Interrupted(open,
                    $"the restore from {open.Backup} was cut off: the database may be half restored; {ManualIntervention} (restore {open.Backup} with pg_restore --clean)", true);
        }
    }

    private Reconciled Interrupted(MigrationStepRequested open, string outcome, bool needsHuman, bool tookEffect = false) => new(
        new MigrationStepRecorded(_target.Name, open.ActionId, open.Step, open.File, tookEffect, outcome, true, Now),
        new MigrationInterrupted(_target.Name, open.Step, open.File, outcome, needsHuman));

    // ---- check ----

    /// <summary>
    /// Whether the target's advisory lock is this worker's now (a check, a run or the reconciliation holds it). The worker
    /// takes the lock for one thing at a time: a push that arrives during the start-up check waits for it instead of
    /// finding the lock held by its own worker.
    /// </summary>
    private bool Busy => _checking || _reconciling || _running is not null;

    private void OnCheck(CheckMigrations check)
    {
        if (Busy)
        {
            Stash.Stash();
            return;
        }

        _checking = true;
        var log = Context.GetLogger();
        var failedBefore = _failedChecksums.ToHashSet(StringComparer.Ordinal);
        CheckAsync(check, failedBefore, log, _stopping.Token).ContinueWith(done =>
        {
            if (done.IsCompletedSuccessfully)
            {
                return new CheckFinished(done.Result);
            }

            log.Warning("Migrations check of {0} ({1}) failed: {2}", _target.Name, check.Trigger, _redactor.Redact(done.Exception?.GetBaseException().Message ?? "cancelled"));
            return new CheckFinished(null);
        }, TaskScheduler.Default).PipeTo(Self);
    }

    private async Task<object?> CheckAsync(CheckMigrations check, IReadOnlySet<string> failedBefore, ILoggingAdapter log, CancellationToken ct)
    {
        var commit = await CommitOfAsync(check.Commit, ct).ConfigureAwait(false);
        var files = await ReadFilesAsync(commit, ct).ConfigureAwait(false);
        IReadOnlyList<AppliedMigration> applied;
        await using (var session = await _database.LockAsync(ct).ConfigureAwait(false))
        {
            applied = await session.AppliedAsync(ct).ConfigureAwait(false);
        }

        var plan = MigrationPlan.Of(files, applied);
        if (plan.Refusal is { } refusal)
        {
            return new MigrationsRefused(_target.Name, commit, _redactor.Redact(refusal));
        }

        if (plan.Pending.Count == 0)
        {
            return null;
        }

        if (check.Trigger != "operator" && plan.Pending.FirstOrDefault(f => failedBefore.Contains(f.Checksum)) is { } failed)
        {
            log.Warning("Migrations of {0}: {1} failed before with the same contents; not started again until it changes or an operator runs `autopilot migrate {0}`.",
                _target.Name, failed.FileName);
            return null;
        }

        return new MigrationsPending(_target.Name, commit, plan.Pending.Select(f => f.FileName).ToArray(),
            plan.Destructive.Select(_redactor.Redact).ToArray(), check.Trigger);
    }

    /// <summary>The commit to read at: the one given, or the head of the watched branch now — pinned, so what is applied is what was checked.</summary>
    private async Task<string> CommitOfAsync(string? commit, CancellationToken ct) =>
        commit ?? (await _github.GetCommitAsync(_target.Repository, _target.Branch, ct).ConfigureAwait(false)).Sha;

    private async Task<IReadOnlyList<MigrationFile>> ReadFilesAsync(string commit, CancellationToken ct)
    {
        var files = await _github.ReadFolderAsync(_target.Repository, _target.Folder, commit, ct).ConfigureAwait(false);
        return files.Where(f => MigrationFile.IsMigrationName(f.Name)).Select(f => MigrationFile.Parse(f.Name, f.Text)).ToArray();
    }

    // ---- apply ----

    private void OnApply(ApplyMigrations command)
    {
        if (_running is { } running)
        {
            Sender.Tell(new WorkerResult(command.ActionId, false, Error: $"a migration of {_target.Name} is already running (action {running})"));
            return;
        }

        if (Busy)
        {
            Stash.Stash(); // a check or the reconciliation holds the lock for a moment; the run starts after it
            return;
        }

        _running = command.ActionId;
        var replyTo = Sender;
        var run = new MigrationRun(this, command, Self, Context.GetLogger());
        run.RunAsync(_stopping.Token).ContinueWith(done => new RunFinished(done.IsCompletedSuccessfully
                ? done.Result
                : new WorkerResult(command.ActionId, false, Error: _redactor.Redact($"migration of {_target.Name} stopped: {done.Exception?.GetBaseException().Message ?? "cancelled"}")),
            replyTo), TaskScheduler.Default).PipeTo(Self);
    }

    /// <summary>One run of <see cref="ApplyMigrations"/>, off the actor; it records each step through the actor and waits for the write.</summary>
    private sealed class MigrationRun(MigrationsWorker worker, ApplyMigrations command, IActorRef self, ILoggingAdapter log)
    {
        private MigrationTarget Target => worker._target;

        private DateTimeOffset Now => worker.Now;

        public async Task<WorkerResult> RunAsync(CancellationToken ct)
        {
            string commit;
            IReadOnlyList<MigrationFile> files;
            try
            {
                commit = await worker.CommitOfAsync(command.Commit, ct).ConfigureAwait(false);
                files = await worker.ReadFilesAsync(commit, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return Fail($"could not read the migrations of {Target.Name} at {command.Commit ?? Target.Branch}: {e.Message}; nothing applied");
            }

            IMigrationSession session;
            try
            {
                session = await worker._database.LockAsync(ct).ConfigureAwait(false);
            }
            catch (MigrationDatabaseException e)
            {
                return Fail($"{Target.Name} is not ready: {e.Message}; nothing applied");
            }

            await using (session.ConfigureAwait(false))
            {
                return await RunLockedAsync(session, files, commit, ct).ConfigureAwait(false);
            }
        }

        private async Task<WorkerResult> RunLockedAsync(IMigrationSession session, IReadOnlyList<MigrationFile> files, string commit, CancellationToken ct)
        {
            var before = await session.AppliedAsync(ct).ConfigureAwait(false);
            var plan = MigrationPlan.Of(files, before);
            if (plan.Refusal is { } refusal)
            {
                return Fail($"migration of {Target.Name} refused: {refusal}; nothing applied");
            }

            if (plan.Pending.Count == 0)
            {
                return Succeed($"{UpToDate}: {Target.Name} has all {before.Count} migrations of {commit}");
            }

            var names = string.Join(", ", plan.Pending.Select(f => f.FileName));
            if (command.DryRun)
            {
                var found = plan.Destructive.Count == 0 ? "no destructive statements" : $"destructive: {string.Join("; ", plan.Destructive)}";
                return Succeed($"dry-run: would back up {Target.Name} and apply {names} ({found}); nothing changed");
            }

            var approved = command.Approved ?? "";
            var destructive = plan.Destructive.Select(worker._redactor.Redact).ToArray();
            var unapproved = destructive.Where(s => !approved.Contains(s, StringComparison.Ordinal)).ToArray();
            if (unapproved.Length > 0)
            {
                // Reported as pending, the files go through the policy like a push's: the migration waits for a human, and
                // the approved run carries these statements (at this commit).
                self.Tell(new PendingFound(new MigrationsPending(Target.Name, commit, plan.Pending.Select(f => f.FileName).ToArray(), destructive, "run")));
                return Fail($"migration of {Target.Name} refused: destructive statements no human approved: {string.Join("; ", unapproved)}; nothing applied; "
                            + "approval requested");
            }

            if (worker._fence.Refusal(log, $"migration of {Target.Name}") is { } notHeld)
            {
                return Fail(notHeld);
            }

            // Backup: nothing is touched unless it exists.
            await RecordAsync(Requested(MigrationSteps.Backup, null, commit, null)).ConfigureAwait(false);
            string backup;
            try
            {
                Directory.CreateDirectory(Target.BackupDirectory);
                backup = await worker._database.BackupAsync(Target.BackupDirectory, Now, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MigrationDatabaseException or IOException or UnauthorizedAccessException)
            {
                var why = $"backup of {Target.Name} failed: {e.Message}";
                await RecordAsync(Recorded(MigrationSteps.Backup, null, false, why)).ConfigureAwait(false);
                return Fail($"{why}; nothing applied");
            }

            await RecordAsync(Recorded(MigrationSteps.Backup, null, true, backup)).ConfigureAwait(false);
            Prune();

            // Apply, file by file; the first failure stops the run.
            string? failure = null;
            var applied = new List<string>();
            foreach (var file in plan.Pending)
            {
                if (worker._fence.Refusal(log, $"{file.FileName} of {Target.Name}") is { } lost)
                {
                    failure = lost;
                    break;
                }

                await RecordAsync(Requested(MigrationSteps.Apply, file, commit, null)).ConfigureAwait(false);
                try
                {
                    await session.ApplyAsync(file.Script, commit, Now, ct).ConfigureAwait(false);
                }
                catch (MigrationDatabaseException e)
                {
                    failure = e is MigrationStatementException statement
                        ? $"{file.FileName} failed: {statement.Error}\nfailing statement: {statement.Statement}"
                        : $"{file.FileName} failed: {e.Message}";
                    await RecordAsync(Recorded(MigrationSteps.Apply, file.FileName, false, failure)).ConfigureAwait(false);
                    break;
                }

                await RecordAsync(Recorded(MigrationSteps.Apply, file.FileName, true, $"applied (checksum {file.Checksum})")).ConfigureAwait(false);
                applied.Add(file.FileName);
            }

            if (failure is null)
            {
                var failed = await session.VerifyAsync(Target.Checks, ct).ConfigureAwait(false);
                if (failed.Count == 0)
                {
                    return Succeed($"applied {names} to {Target.Name} at {commit}; {Target.Checks.Count} checks passed; backup {backup}");
                }

                failure = $"verification failed after {names}: {string.Join("; ", failed.Select(f => $"`{f.Sql}` {f.Reason}"))}";
                await RecordAsync(Recorded(MigrationSteps.Verify, null, false, failure)).ConfigureAwait(false);
            }

            return await RestoreAsync(session, before, commit, backup, failure, applied, ct).ConfigureAwait(false);
        }

        private async Task<WorkerResult> RestoreAsync(
            IMigrationSession session, IReadOnlyList<AppliedMigration> before, string commit, string backup, string failure, IReadOnlyList<string> applied, CancellationToken ct)
        {
            // Not fenced: it undoes this run's own changes, and the advisory lock still keeps every other migration out.
            await RecordAsync(Requested(MigrationSteps.Restore, null, commit, backup)).ConfigureAwait(false);
            try
            {
                await worker._database.RestoreAsync(backup, ct).ConfigureAwait(false);
                var after = await session.AppliedAsync(ct).ConfigureAwait(false);
                if (!after.Select(a => (a.Version, a.Checksum)).SequenceEqual(before.Select(a => (a.Version, a.Checksum))))
                {
                    throw new MigrationDatabaseException(
                        $"after the restore schema_migrations holds {string.Join(", ", after.Select(a => $"V{a.Version}"))}, not what it held before ({string.Join(", ", before.Select(a => $"V{a.Version}"))})");
                }
            }
            catch (Exception e) when (e is MigrationDatabaseException or IOException)
            {
                var why = $"{ManualIntervention}: restore of {Target.Name} from {backup} failed ({e.Message}) after: {failure}";
                await RecordAsync(Recorded(MigrationSteps.Restore, null, false, why)).ConfigureAwait(false);
                return Fail(why);
            }

            var undone = applied.Count == 0 ? "" : $" (undoing {string.Join(", ", applied)})";
            await RecordAsync(Recorded(MigrationSteps.Restore, null, true, $"restored from {backup}{undone} and verified")).ConfigureAwait(false);
            return Fail($"{failure}\nrestored {Target.Name} from {backup}{undone}; restore verified");
        }

        private void Prune()
        {
            try
            {
                foreach (var old in BackupFiles.Prune(Target.BackupDirectory, worker._database.DatabaseName, Target.BackupRetention, Now))
                {
                    log.Info("Backup {0} is older than {1}: deleted.", old, Target.BackupRetention);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.Warning("Old backups of {0} could not be deleted: {1}", Target.Name, e.Message);
            }
        }

        private MigrationStepRequested Requested(string step, MigrationFile? file, string? commit, string? backup) =>
            new(Target.Name, command.ActionId, step, file?.FileName, file?.Version, file?.Checksum, commit, backup, Now);

        private MigrationStepRecorded Recorded(string step, string? file, bool succeeded, string detail) =>
            new(Target.Name, command.ActionId, step, file, succeeded, worker._redactor.Redact(detail), false, Now);

        private async Task RecordAsync(object @event)
        {
            // Real time, not the scheduler's: a journal write that does not answer within a minute ends the run.
            using var timeout = new CancellationTokenSource(RecordTimeout);
            await self.Ask<Recorded>(new Record(@event), null, timeout.Token).ConfigureAwait(false);
        }

        private WorkerResult Succeed(string detail) => new(command.ActionId, true, Detail: worker._redactor.Redact(detail));

        private WorkerResult Fail(string error) => new(command.ActionId, false, Error: worker._redactor.Redact(error));
    }

    private sealed record Record(object Event);

    private sealed record Recorded
    {
        public static Recorded Instance { get; } = new();
    }

    private sealed record RunFinished(WorkerResult Result, IActorRef ReplyTo);

    private sealed record PendingFound(MigrationsPending Report);

    private sealed record CheckFinished(object? Report);

    private sealed record Reconciled(MigrationStepRecorded Record, MigrationInterrupted Report);
}
