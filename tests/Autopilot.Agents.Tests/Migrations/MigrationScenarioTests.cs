using System.Text.Json;
using Akka.Actor;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.Migrations;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tasks;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.PostgreSql;
using Autopilot.Platforms.Redaction;
using Autopilot.Simulator.GitHub;
using Autopilot.Testing.PostgreSql;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Migrations;

/// <summary>
/// The migrations worker under a real orchestrator, on a real throwaway PostgreSQL 15 (one server for the class, a
/// database per test) with the real pg_dump and pg_restore: a push to main touching <c>db/migrations</c> is read
/// through the GitHub client (the fake), decided by the policy and carried out, alerted, and restored when it fails.
/// </summary>
public sealed class MigrationScenarioTests : ScenarioTestKit, IClassFixture<ThrowawayPostgres>
{
    private const string Target = "app";
    private const string Folder = "db/migrations";
    private const int Steps = 4000;
    private readonly ThrowawayPostgres _postgres;
    private readonly string _backups = Directory.CreateTempSubdirectory("autopilot-migration-backups-").FullName;
    private string _connectionString = "";
    private string _backupDirectory;
    private string[] _checks = [];
    private bool _checkAtStart;
    private int _pushes;

    public MigrationScenarioTests(ThrowawayPostgres postgres, ITestOutputHelper output) : base(output)
    {
        _postgres = postgres;
        _backupDirectory = _backups;
    }

    protected override string ExtraConfig => $$"""
        autopilot.agents.migrations.targets.{{Target}} {
          connection-string = "{{_connectionString}}"
          repository = "{{Owner}}/{{RepoName}}"
          branch = main
          folder = "{{Folder}}"
          backup-directory = "{{_backupDirectory}}"
          backup-retention = 7d
          checks = [{{string.Join(", ", _checks.Select(c => JsonSerializer.Serialize(c)))}}]
          check-at-start = {{(_checkAtStart ? "true" : "false")}}
        }
        """;

    private string Fingerprint(string situation) => $"database:{Target}:{situation}";

    /// <summary>A fresh database with a <c>customers</c> table of 200 rows, and an orchestrator with the migrations worker on it.</summary>
    private async Task<IActorRef> StartAsync(string purpose, string name = "orchestrator")
    {
        _connectionString = await _postgres.CreateDatabaseAsync(purpose);
        await ExecuteAsync("CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL UNIQUE); " +
                           "INSERT INTO customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 200) g;");
        return Start(name);
    }

    private IActorRef Start(string name = "orchestrator", Func<IMigrationDatabase, IMigrationDatabase>? wrap = null)
    {
        var settings = AgentSettings();
        Func<MigrationTarget, IMigrationDatabase>? databases = wrap is null
            ? null
            : target => wrap(new PostgreSqlMigrationDatabase(target.ConnectionString, settings.Migrations!.ClientPrograms!));
        return StartOrchestrator(name: name, migrations: AutopilotTree.MigrationWorkers(settings,
            new AutopilotClients(RailwayClient, GitHubClient, MigrationDatabases: databases), new Redactor(), ActionFence.Unfenced));
    }

    /// <summary>Puts the files into the repository, pushes a commit touching them to main and delivers its push webhook.</summary>
    private string Push(IActorRef orchestrator, params (string Name, string Sql)[] files) => Push(orchestrator, ActorRefs.NoSender, files);

    private string Push(IActorRef orchestrator, IActorRef sender, params (string Name, string Sql)[] files)
    {
        foreach (var (name, sql) in files)
        {
            GitHubFake.AddFile(Owner, RepoName, $"{Folder}/{name}", sql);
        }

        var paths = files.Select(f => $"{Folder}/{f.Name}").ToArray();
        var sha = GitHubFake.PushCommit(Owner, RepoName, "main", $"migrations {++_pushes}", paths.Select(p => new GitHubFakeFileChange(p, null, "added")).ToArray());
        var payload = JsonSerializer.SerializeToElement(new
        {
            @ref = "refs/heads/main",
            after = sha,
            repository = new { full_name = $"{Owner}/{RepoName}" },
            commits = new[] { new { id = sha, added = paths, modified = Array.Empty<string>(), removed = Array.Empty<string>() } },
        });
        orchestrator.Tell(new ExternalEvent("github", "push", $"push-{_pushes}", payload), sender);
        return sha;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? default : (T?)value;
    }

    /// <summary>Row count and a checksum of every row of customers, and the tables of the public schema: what a restore must give back.</summary>
    private async Task<string> ContentsAsync() =>
        await ScalarAsync<string>("SELECT (SELECT count(*) || ':' || md5(string_agg(id || '/' || email, ',' ORDER BY id)) FROM customers) || ' tables: ' || " +
                                  "(SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations')") ?? "";

    private async Task<long[]> AppliedVersionsAsync() =>
        await ScalarAsync<long[]>("SELECT coalesce(array_agg(version ORDER BY version), '{}') FROM schema_migrations") ?? [];

    private IReadOnlyList<object> WorkerJournal() => Journal($"migrations-{Target}");

    [Fact]
    public async Task Two_good_migrations_are_applied_in_order_recorded_backed_up_and_announced()
    {
        var orchestrator = await StartAsync("good");

        var sha = Push(orchestrator,
            ("V2__seed_orders.sql", "INSERT INTO orders (customer_id, total) SELECT id, id * 10 FROM customers WHERE id <= 50;"),
            ("V1__create_orders.sql", "CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), total int NOT NULL);"));
        AdvanceUntil(() => Alerts.Any(a => a.Fingerprint == Fingerprint("migration-succeeded")), "the INFO alert of the migration", Steps);

        Assert.Equal(new long[] { 1, 2 }, await AppliedVersionsAsync());
        Assert.Equal(50L, await ScalarAsync<long>("SELECT count(*) FROM orders"));
        Assert.Equal(sha, await ScalarAsync<string>("SELECT commit_sha FROM schema_migrations WHERE version = 2"));
        var alert = Assert.Single(Alerts, a => a.Fingerprint == Fingerprint("migration-succeeded"));
        Assert.Equal(AlertSeverity.Info, alert.Severity);
        Assert.Contains("V1__create_orders.sql, V2__seed_orders.sql", alert.Body);
        var backup = Assert.Single(Directory.GetFiles(_backups, "*.dump"));
        Assert.Contains(backup, alert.Body);
        Assert.True(new FileInfo(backup).Length > 0);
        // Each file was journaled before and after it ran, in order.
        var steps = WorkerJournal().Select(e => e switch
        {
            MigrationStepRequested r => $"requested {r.Step} {r.File}".TrimEnd(),
            MigrationStepRecorded r => $"recorded {r.Step} {r.File} {r.Succeeded}".Replace("  ", " "),
            _ => "?",
        });
        Assert.Equal(
            ["requested backup", "recorded backup True", "requested apply V1__create_orders.sql", "recorded apply V1__create_orders.sql True",
             "requested apply V2__seed_orders.sql", "recorded apply V2__seed_orders.sql True"], steps);
        Assert.Empty(GitHubFake.Issues(Owner, RepoName));
        Assert.DoesNotContain(AuditTrail().Concat(WorkerJournal().OfType<IAuditEvent>()), e => e.ToString()!.Contains(_postgres.Password));
    }

    [Fact]
    public async Task A_second_migration_failing_half_way_is_restored_exactly_with_a_critical_alert_and_one_issue()
    {
        var orchestrator = await StartAsync("failing");
        var before = await ContentsAsync();

        Push(orchestrator,
            ("V1__create_orders.sql", "CREATE TABLE orders (id serial PRIMARY KEY, total int NOT NULL);"),
            ("V2__import.sql", "INSERT INTO customers VALUES (1000, 'new@example.com');\nINSERT INTO customers VALUES (1001, 'c1@example.com');\nINSERT INTO orders (total) VALUES (1);"));
        AdvanceUntil(() => GitHubFake.Issues(Owner, RepoName).Count == 1 && Alerts.Any(a => a.Fingerprint == Fingerprint("migration-failed")),
            "the CRITICAL alert and its GitHub issue", Steps);

        // V1 had committed: the restore took its table away again, and V2's insert never committed.
        Assert.Equal(before, await ContentsAsync());
        Assert.Empty(await AppliedVersionsAsync());
        var alert = Assert.Single(Alerts, a => a.Fingerprint == Fingerprint("migration-failed"));
        Assert.Equal(AlertSeverity.Critical, alert.Severity);
        Assert.Contains("INSERT INTO customers VALUES (1001, 'c1@example.com')", alert.Body);
        Assert.Contains("23505", alert.Body);
        Assert.Contains("restore verified", alert.Body);
        var issue = Assert.Single(GitHubFake.Issues(Owner, RepoName));
        Assert.Contains("INSERT INTO customers VALUES (1001, 'c1@example.com')", issue.Body);
        Assert.Contains("duplicate key", issue.Body);
        Assert.Contains(WorkerJournal(), e => e is MigrationStepRecorded { Step: MigrationSteps.Restore, Succeeded: true });
    }

    [Fact]
    public async Task A_failed_verification_after_a_successful_migration_is_restored()
    {
        _checks = ["SELECT count(*) = 200 FROM customers", "SELECT NOT EXISTS (SELECT 1 FROM customers WHERE email LIKE '%@example.org')"];
        var orchestrator = await StartAsync("verify");
        var before = await ContentsAsync();

        Push(orchestrator, ("V1__move_domain.sql", "UPDATE customers SET email = replace(email, '.com', '.org') WHERE id <= 10;"));
        AdvanceUntil(() => Alerts.Any(a => a.Fingerprint == Fingerprint("migration-failed")), "the CRITICAL alert", Steps);

        Assert.Equal(before, await ContentsAsync());
        Assert.Empty(await AppliedVersionsAsync());
        var alert = Assert.Single(Alerts, a => a.Fingerprint == Fingerprint("migration-failed"));
        Assert.Contains("verification failed", alert.Body);
        Assert.Contains("@example.org", alert.Body);
        Assert.Contains("restored", alert.Body);
    }

    [Fact]
    public async Task A_failed_backup_applies_nothing_and_is_alerted()
    {
        var notADirectory = Path.Combine(_backups, "not-a-directory");
        await File.WriteAllTextAsync(notADirectory, "");
        _backupDirectory = Path.Combine(notADirectory, "backups");
        var orchestrator = await StartAsync("backup");
        var before = await ContentsAsync();

        Push(orchestrator, ("V1__create_orders.sql", "CREATE TABLE orders (id int);"));
        AdvanceUntil(() => Alerts.Any(a => a.Fingerprint == Fingerprint("migration-failed")), "the alert of the failed backup", Steps);

        Assert.Equal(before, await ContentsAsync());
        Assert.Empty(await AppliedVersionsAsync());
        var alert = Assert.Single(Alerts, a => a.Fingerprint == Fingerprint("migration-failed"));
        Assert.Contains("backup of app failed", alert.Body);
        Assert.Contains("nothing applied", alert.Body);
        Assert.DoesNotContain(WorkerJournal(), e => e is MigrationStepRequested { Step: MigrationSteps.Apply });
    }

    [Fact]
    public async Task A_failed_restore_is_critical_manual_intervention_with_the_backups_location()
    {
        var orchestrator = await StartAsync("restore-fails");
        await using var holder = new NpgsqlConnection(_connectionString);
        await holder.OpenAsync();
        await using (var hold = new NpgsqlCommand("SELECT pg_advisory_lock(42)", holder))
        {
            await hold.ExecuteNonQueryAsync();
        }

        Push(orchestrator,
            ("V1__create_orders.sql", "CREATE TABLE orders (id int);"),
            ("V2__duplicate.sql", "SELECT pg_advisory_xact_lock(42);\nINSERT INTO customers VALUES (1, 'again@example.com');"));
        AdvanceUntil(() => WorkerJournal().OfType<MigrationStepRequested>().Any(r => r.File == "V2__duplicate.sql"), "V2 under way", Steps);
        // The backup disappears while V2 waits (a full disk's clean-up, an operator): the way back is gone.
        var backup = Assert.Single(Directory.GetFiles(_backups, "*.dump"));
        File.Delete(backup);
        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock(42)", holder))
        {
            await release.ExecuteNonQueryAsync();
        }

        AdvanceUntil(() => Alerts.Any(a => a.Fingerprint == Fingerprint("migration-failed")), "the CRITICAL alert", Steps);

        var alert = Assert.Single(Alerts, a => a.Fingerprint == Fingerprint("migration-failed"));
        Assert.Equal(AlertSeverity.Critical, alert.Severity);
        Assert.Contains("manual intervention required", alert.Body);
        Assert.Contains(backup, alert.Body);
        Assert.Contains("INSERT INTO customers VALUES (1, 'again@example.com')", alert.Body);
        Assert.Contains(WorkerJournal(), e => e is MigrationStepRecorded { Step: MigrationSteps.Restore, Succeeded: false });
        // Nothing was restored: V1 stays applied, and that is what the alert asks a human to sort out.
        Assert.Equal(new long[] { 1 }, await AppliedVersionsAsync());
    }

    [Fact]
    public async Task A_changed_checksum_of_an_applied_file_is_refused_and_nothing_is_applied()
    {
        var orchestrator = await StartAsync("checksum");
        Push(orchestrator, ("V1__create_orders.sql", "CREATE TABLE orders (id int);"));
        AdvanceUntil(() => Alerts.Any(a => a.Fingerprint == Fingerprint("migration-succeeded")), "the first migration", Steps);

        Push(orchestrator, ("V1__create_orders.sql", "CREATE TABLE orders (id bigint);"), ("V2__more.sql", "ALTER TABLE orders ADD COLUMN note text;"));
        AdvanceUntil(() => Alerts.Any(a => a.Fingerprint == Fingerprint("migration-failed")), "the refusal", Steps);

        Assert.Equal(new long[] { 1 }, await AppliedVersionsAsync());
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note'"));
        var alert = Assert.Single(Alerts, a => a.Fingerprint == Fingerprint("migration-failed"));
        Assert.Contains("V1__create_orders.sql was changed after it was applied", alert.Body);
        // One backup (of the first migration): the refusal touched nothing.
        Assert.Single(Directory.GetFiles(_backups, "*.dump"));
    }

    [Fact]
    public async Task A_migration_with_destructive_statements_waits_for_approval_and_changes_nothing()
    {
        var orchestrator = await StartAsync("destructive");
        var before = await ContentsAsync();

        Push(orchestrator, ("V1__cleanup.sql", "DELETE FROM customers;\nDROP TABLE customers;"));
        AdvanceUntilAudit<ApprovalRequested>(a => a.Action == "migrate", "the approval request");

        var approval = Assert.Single(AuditTrail().OfType<ApprovalRequested>());
        Assert.Contains("DELETE FROM customers", approval.Evidence["destructive"]);
        Assert.Contains("DROP TABLE customers", approval.Evidence["destructive"]);
        Assert.Contains("destructive statements", approval.Reason);
        Assert.Equal(before, await ContentsAsync());
        Assert.DoesNotContain(AuditTrail(), e => e is ActionRequested { Action: "migrate" });

        // Approved, the run carries the statements the human saw, and the worker applies them.
        Assert.True((await orchestrator.Ask<ControlAck>(new DecideApproval(approval.ApprovalId, true, "ops", ApprovalChannels.Cli), TimeSpan.FromSeconds(10))).Accepted);
        AdvanceUntil(() => Alerts.Any(a => a.Fingerprint == Fingerprint("migration-succeeded")), "the approved migration", Steps);
        Assert.Equal(new long[] { 1 }, await AppliedVersionsAsync());
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM information_schema.tables WHERE table_name = 'customers'"));
    }

    /// <summary>Commits files to main without delivering the push, so only the task below asks for them.</summary>
    private void Commit(params (string Name, string Sql)[] files)
    {
        foreach (var (name, sql) in files)
        {
            GitHubFake.AddFile(Owner, RepoName, $"{Folder}/{name}", sql);
        }

        GitHubFake.PushCommit(Owner, RepoName, "main", $"migrations {++_pushes}", files.Select(f => new GitHubFakeFileChange($"{Folder}/{f.Name}", null, "added")).ToArray());
    }

    private async Task<TaskFinished> RunTaskAsync(IActorRef orchestrator, string target)
    {
        var accepted = Assert.IsType<TaskAccepted>(await orchestrator.Ask<object>(
            new SubmitTask("migrate", target, new Dictionary<string, string>(), TaskPriorities.Normal, null, null, "ci"), TimeSpan.FromSeconds(10)));
        AdvanceUntil(() => Journal(TaskQueue.DefaultPersistenceId).OfType<TaskFinished>().Any(f => f.TaskId == accepted.Task.Id), "the migrate task to finish", Steps);
        return Journal(TaskQueue.DefaultPersistenceId).OfType<TaskFinished>().Single(f => f.TaskId == accepted.Task.Id);
    }

    [Fact]
    public async Task A_migrate_task_applies_the_pending_files_and_ends_with_the_runs_result()
    {
        var orchestrator = await StartAsync("task");
        Commit(("V1__create_orders.sql", "CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id));"));

        var finished = await RunTaskAsync(orchestrator, Target);

        Assert.Equal(TaskStatuses.Succeeded, finished.Outcome);
        Assert.Equal(new long[] { 1 }, await AppliedVersionsAsync());
        var requested = Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "migrate");
        Assert.Equal(finished.TaskId, requested.Parameters[ActionParameters.TaskId]);
        Assert.Equal(requested.ActionId, finished.ActionId);

        var unknown = await RunTaskAsync(orchestrator, "nope");
        Assert.Equal(TaskStatuses.Refused, unknown.Outcome);
        Assert.Contains("unknown migration target \"nope\"", unknown.Detail);
    }

    [Fact]
    public async Task A_migrate_task_with_destructive_statements_changes_nothing_and_asks_a_human()
    {
        var orchestrator = await StartAsync("task-destructive");
        var before = await ContentsAsync();
        Commit(("V1__cleanup.sql", "DELETE FROM customers;"));

        var finished = await RunTaskAsync(orchestrator, Target);

        Assert.Equal(TaskStatuses.Failed, finished.Outcome);
        Assert.Contains("destructive statements no human approved: V1__cleanup.sql: DELETE FROM customers", finished.Detail);
        Assert.Contains("approval requested", finished.Detail);
        Assert.Equal(before, await ContentsAsync());
        Assert.Empty(await AppliedVersionsAsync());
        Assert.Empty(Directory.GetFiles(_backups));

        // The statements the task found are put to a human, as a push's would be; approved, exactly they are applied.
        AdvanceUntilAudit<ApprovalRequested>(a => a.Action == "migrate", "the approval request");
        var approval = Assert.Single(AuditTrail().OfType<ApprovalRequested>());
        Assert.Contains("DELETE FROM customers", approval.Evidence["destructive"]);
        Assert.True((await orchestrator.Ask<ControlAck>(new DecideApproval(approval.ApprovalId, true, "ops", ApprovalChannels.Cli), TimeSpan.FromSeconds(10))).Accepted);
        AdvanceUntil(() => Alerts.Any(a => a.Fingerprint == Fingerprint("migration-succeeded")), "the approved migration", Steps);
        Assert.Equal(new long[] { 1 }, await AppliedVersionsAsync());
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM customers"));
    }

    [Fact]
    public async Task An_operator_dry_run_reports_the_plan_and_changes_nothing()
    {
        var orchestrator = await StartAsync("dry-run");
        GitHubFake.AddFile(Owner, RepoName, $"{Folder}/V1__create_orders.sql", "CREATE TABLE orders (id int);");
        GitHubFake.PushCommit(Owner, RepoName, "main", "orders", [new GitHubFakeFileChange($"{Folder}/V1__create_orders.sql", null, "added")]);

        orchestrator.Tell(new RunMigrations(Target, DryRun: true, "ops"), TestActor);
        var ack = ExpectMsg<ControlAck>(TimeSpan.FromSeconds(60));

        Assert.True(ack.Accepted, ack.Message);
        Assert.Contains("would back up app and apply V1__create_orders.sql", ack.Message);
        Assert.Empty(await AppliedVersionsAsync());
        Assert.Empty(Directory.GetFiles(_backups));
        orchestrator.Tell(new RunMigrations("nope", DryRun: true, "ops"), TestActor);
        Assert.Contains("unknown migration target \"nope\"; known: app", ExpectMsg<ControlAck>().Message);
    }

    [Fact]
    public async Task Killed_mid_migration_the_worker_reports_where_it_stopped_after_the_restart_and_applies_nothing_twice()
    {
        _checkAtStart = true;
        var orchestrator = await StartAsync("killed");
        // An advisory lock the test holds makes V2 wait inside its transaction, after V1 committed (the backup is not held up).
        await using var holder = new NpgsqlConnection(_connectionString);
        await holder.OpenAsync();
        await using (var hold = new NpgsqlCommand("SELECT pg_advisory_lock(42)", holder))
        {
            await hold.ExecuteNonQueryAsync();
        }

        var pushed = Push(orchestrator,
            ("V1__create_orders.sql", "CREATE TABLE orders (id int);"),
            ("V2__add_customer.sql", "INSERT INTO customers VALUES (500, 'late@example.com');\nSELECT pg_advisory_xact_lock(42);"));
        AdvanceUntil(() => WorkerJournal().OfType<MigrationStepRequested>().Any(r => r.File == "V2__add_customer.sql"), "V2 under way", Steps);

        // The process dies: the actors are gone without another journal write, and PostgreSQL loses the connection.
        Watch(orchestrator);
        Sys.Stop(orchestrator);
        ExpectTerminated(orchestrator, TimeSpan.FromSeconds(30));
        await ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{PostgreSqlMigrationDatabase.ApplicationName}'");
        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock(42)", holder))
        {
            await release.ExecuteNonQueryAsync();
        }

        Assert.IsType<MigrationStepRequested>(WorkerJournal()[^1]);
        Assert.Equal(new long[] { 1 }, await AppliedVersionsAsync());

        var restarted = Start("orchestrator-again");
        AdvanceUntil(() => Alerts.Any(a => a.Fingerprint == Fingerprint("migration-interrupted"))
                           && Alerts.Count(a => a.Fingerprint == Fingerprint("migration-succeeded")) == 1,
            "the report of the interruption, then V2 applied", Steps);

        var interrupted = Assert.Single(Alerts, a => a.Fingerprint == Fingerprint("migration-interrupted"));
        Assert.Contains("V2__add_customer.sql had not committed", interrupted.Body);
        Assert.Contains(WorkerJournal(), e => e is MigrationStepRecorded { Step: MigrationSteps.Apply, File: "V2__add_customer.sql", Interrupted: true, Succeeded: false });
        Assert.Equal(new long[] { 1, 2 }, await AppliedVersionsAsync());
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM customers WHERE id = 500"));
        // The start-up check pinned the branch head: the file is recorded with the commit it was read at.
        Assert.Equal(pushed, await ScalarAsync<string>("SELECT commit_sha FROM schema_migrations WHERE version = 2"));
        // V1 ran once: one apply of it in the journal, across both lives.
        Assert.Single(WorkerJournal().OfType<MigrationStepRequested>(), r => r.File == "V1__create_orders.sql");
        Assert.Equal(2, WorkerJournal().OfType<MigrationStepRequested>().Count(r => r.File == "V2__add_customer.sql"));
        Sys.Stop(restarted);
    }

    [Fact]
    public async Task A_push_arriving_during_the_start_up_check_waits_for_it_instead_of_finding_the_lock_held()
    {
        _checkAtStart = true;
        _connectionString = await _postgres.CreateDatabaseAsync("overlap");
        await ExecuteAsync("CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL UNIQUE);");
        GatedMigrationDatabase? gated = null;
        var orchestrator = Start(wrap: database => gated = new GatedMigrationDatabase(database));
        Assert.NotNull(gated);
        await gated.FirstLockTaken.WaitAsync(TimeSpan.FromSeconds(60)); // the start-up check holds the target's lock now

        var pushed = Push(orchestrator, TestActor, ("V1__create_orders.sql", "CREATE TABLE orders (id int);"));
        Assert.True(ExpectMsg<ControlAck>(TimeSpan.FromSeconds(30)).Accepted);
        // The orchestrator told the worker before it answered: once the worker answers Identify, it has taken the push's check.
        Sys.ActorSelection(orchestrator.Path / MigrationsWorker.WorkerName(Target)).Tell(new Identify(null), TestActor);
        Assert.NotNull(ExpectMsg<ActorIdentity>(TimeSpan.FromSeconds(30)).Subject);
        // Like ExpectNoMsg: a worker that checked in parallel would ask for the lock within moments and find it held.
        await Task.WhenAny(gated.SecondLockAsked, Task.Delay(TimeSpan.FromSeconds(3)));
        gated.Release();
        AdvanceUntil(() => Alerts.Any(a => a.Fingerprint == Fingerprint("migration-succeeded")), "the pushed migration", Steps);

        Assert.Equal(new long[] { 1 }, await AppliedVersionsAsync());
        Assert.Equal(pushed, await ScalarAsync<string>("SELECT commit_sha FROM schema_migrations WHERE version = 1"));
        Assert.Equal(0, gated.Overlaps);
    }

    /// <summary>
    /// The real database, with the first lock held until <see cref="Release"/>, counting the locks asked for while another
    /// session of the same worker held it (each would fail with "another migration is running").
    /// </summary>
    private sealed class GatedMigrationDatabase(IMigrationDatabase inner) : IMigrationDatabase
    {
        private readonly TaskCompletionSource _firstLockTaken = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _secondLockAsked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _locks;
        private int _held;
        private int _overlaps;

        public Task FirstLockTaken => _firstLockTaken.Task;

        public Task SecondLockAsked => _secondLockAsked.Task;

        public int Overlaps => Volatile.Read(ref _overlaps);

        public string DatabaseName => inner.DatabaseName;

        public void Release() => _gate.TrySetResult();

        public async Task<IMigrationSession> LockAsync(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _held) > 1)
            {
                Interlocked.Increment(ref _overlaps);
                _secondLockAsked.TrySetResult();
            }

            try
            {
                var session = await inner.LockAsync(cancellationToken);
                if (Interlocked.Increment(ref _locks) == 1)
                {
                    _firstLockTaken.TrySetResult();
                    await _gate.Task.WaitAsync(cancellationToken);
                }

                return new Session(session, () => Interlocked.Decrement(ref _held));
            }
            catch
            {
                Interlocked.Decrement(ref _held);
                throw;
            }
        }

        public Task<string> BackupAsync(string directory, DateTimeOffset at, CancellationToken cancellationToken = default) =>
            inner.BackupAsync(directory, at, cancellationToken);

        public Task RestoreAsync(string backupFile, CancellationToken cancellationToken = default) => inner.RestoreAsync(backupFile, cancellationToken);

        private sealed class Session(IMigrationSession inner, Action released) : IMigrationSession
        {
            public Task<IReadOnlyList<AppliedMigration>> AppliedAsync(CancellationToken cancellationToken = default) => inner.AppliedAsync(cancellationToken);

            public Task ApplyAsync(MigrationScript script, string? commit, DateTimeOffset at, CancellationToken cancellationToken = default) =>
                inner.ApplyAsync(script, commit, at, cancellationToken);

            public Task<IReadOnlyList<FailedCheck>> VerifyAsync(IReadOnlyList<string> checks, CancellationToken cancellationToken = default) =>
                inner.VerifyAsync(checks, cancellationToken);

            public async ValueTask DisposeAsync()
            {
                await inner.DisposeAsync();
                released();
            }
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_backups))
        {
            Directory.Delete(_backups, recursive: true);
        }
    }
}
