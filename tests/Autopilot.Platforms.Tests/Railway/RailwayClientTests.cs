using System.Text.Json;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Railway;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Simulator.Railway;
using Xunit;

namespace Autopilot.Platforms.Tests.Railway;

public sealed class RailwayClientTests : IAsyncLifetime
{
    private RailwayTestBed _bed = null!;
    private RailwayClient _client = null!;

    public async Task InitializeAsync()
    {
        _bed = await RailwayTestBed.StartAsync();
        _client = _bed.CreateClient();
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private RailwayFakeService Svc => _bed.Service;

    [Fact]
    public async Task A_deployment_walks_the_real_status_sequence_to_success()
    {
        var id = await _client.DeployServiceAsync(Svc.ServiceId, Svc.EnvironmentId, "abc1234def");

        var seen = new List<DeploymentStatus> { (await _client.GetDeploymentAsync(id)).Status };
        for (var i = 0; i < 4; i++)
        {
            _bed.AdvanceSteps(1);
            seen.Add((await _client.GetDeploymentAsync(id)).Status);
        }

        Assert.Equal(
            [DeploymentStatus.Queued, DeploymentStatus.Initializing, DeploymentStatus.Building, DeploymentStatus.Deploying, DeploymentStatus.Success],
            seen);
        var deployment = await _client.GetDeploymentAsync(id);
        Assert.Equal(("abc1234def", Svc.ServiceId, Svc.EnvironmentId, Svc.ProjectId),
            (deployment.CommitHash, deployment.ServiceId, deployment.EnvironmentId, deployment.ProjectId));
        Assert.True(deployment.Status.IsHealthy());
    }

    [Fact]
    public async Task Requests_carry_the_timestamp_parameter_the_bearer_token_and_values_only_as_variables()
    {
        await _client.DeployServiceAsync(Svc.ServiceId, Svc.EnvironmentId, "feedface");

        var exchange = Assert.Single(_bed.Fake.Exchanges);
        Assert.Equal("/graphql/v2", exchange.Path);
        Assert.Equal($"?t={_bed.Clock.GetUtcNow().ToUnixTimeSeconds()}", exchange.Query);
        Assert.Equal($"Bearer {RailwayTestBed.AccountToken}", exchange.RequestHeaders["Authorization"]);
        var call = Assert.Single(_bed.Fake.Calls);
        Assert.Equal("ServiceInstanceDeploy", call.OperationName);
        Assert.Equal(["serviceInstanceDeployV2"], call.RootFields);
        Assert.Equal(Svc.ServiceId, (string?)call.Variables["serviceId"]);
        Assert.DoesNotContain(Svc.ServiceId, call.Document);
        Assert.DoesNotContain("feedface", call.Document);
    }

    [Fact]
    public async Task Project_tokens_travel_in_the_project_access_token_header_and_are_scoped_to_their_project()
    {
        _bed.Fake.AddProjectToken("rw-proj-0c9e7b1a2f", Svc.ProjectId);
        var other = _bed.Fake.AddServiceWithProject("api");
        var projectClient = _bed.CreateClient("rw-proj-0c9e7b1a2f", RailwayTokenKind.Project);

        var id = await projectClient.DeployServiceAsync(Svc.ServiceId, Svc.EnvironmentId, null);
        var error = await Assert.ThrowsAsync<RailwayGraphQLException>(() => projectClient.DeployServiceAsync(other.ServiceId, other.EnvironmentId, null));

        Assert.NotEmpty(id);
        Assert.Equal("rw-proj-0c9e7b1a2f", _bed.Fake.Exchanges[0].RequestHeaders["Project-Access-Token"]);
        Assert.False(_bed.Fake.Exchanges[0].RequestHeaders.ContainsKey("Authorization"));
        Assert.True(error.IsNotAuthorized);
    }

    [Fact]
    public async Task A_failed_build_ends_FAILED_with_the_compiler_output_in_the_build_log()
    {
        _bed.Fake.ScriptNextDeployment(Svc.ServiceId, DeploymentScript.FailBuild("src/app.ts(3,1): error TS2304: Cannot find name 'foo'."));
        var id = await _client.DeployServiceAsync(Svc.ServiceId, Svc.EnvironmentId, null);

        _bed.AdvanceSteps(5);

        var deployment = await _client.GetDeploymentAsync(id);
        var log = await _client.GetBuildLogsAsync(id);
        Assert.Equal(DeploymentStatus.Failed, deployment.Status);
        Assert.True(deployment.Status.IsBroken());
        Assert.Contains(log, l => l.Message.Contains("error TS2304") && l.Severity == "error");
        Assert.Equal(log.Select(l => l.Timestamp).Order(), log.Select(l => l.Timestamp));
    }

    [Fact]
    public async Task A_crash_ends_CRASHED_with_the_runtime_error_in_the_deployment_log()
    {
        _bed.Fake.ScriptNextDeployment(Svc.ServiceId, DeploymentScript.Crash("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"));
        var id = await _client.DeployServiceAsync(Svc.ServiceId, Svc.EnvironmentId, null);

        _bed.AdvanceSteps(4);
        var whileUp = await _client.GetDeploymentAsync(id);
        _bed.AdvanceSteps(1);
        var afterCrash = await _client.GetDeploymentAsync(id);
        var log = await _client.GetDeploymentLogsAsync(id, new LogQuery { Limit = 50 });

        Assert.Equal(DeploymentStatus.Success, whileUp.Status);
        Assert.Equal(DeploymentStatus.Crashed, afterCrash.Status);
        Assert.Contains(log, l => l.Message.Contains("heap out of memory") && l.Severity == "error");
        Assert.Contains(log, l => l.Severity is null);
    }

    [Fact]
    public async Task Log_reads_honour_filter_and_limit()
    {
        _bed.Fake.ScriptNextDeployment(Svc.ServiceId, DeploymentScript.Crash("oom one", "oom two", "oom three"));
        var id = await _client.DeployServiceAsync(Svc.ServiceId, Svc.EnvironmentId, null);
        _bed.AdvanceSteps(5);

        var filtered = await _client.GetDeploymentLogsAsync(id, new LogQuery { Filter = "oom", Limit = 2 });

        Assert.Equal(["oom two", "oom three"], filtered.Select(l => l.Message));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.GetDeploymentLogsAsync(id, new LogQuery { Limit = 5001 }));
    }

    [Fact]
    public async Task A_hung_deployment_stays_in_progress_and_can_be_cancelled()
    {
        _bed.Fake.ScriptNextDeployment(Svc.ServiceId, DeploymentScript.Hang(DeploymentStatus.Building));
        var id = await _client.DeployServiceAsync(Svc.ServiceId, Svc.EnvironmentId, null);

        _bed.Clock.Advance(TimeSpan.FromHours(2));
        var stuck = await _client.GetDeploymentAsync(id);
        var cancelled = await _client.CancelAsync(id);
        var after = await _client.GetDeploymentAsync(id);

        Assert.Equal(DeploymentStatus.Building, stuck.Status);
        Assert.True(cancelled);
        Assert.Equal(DeploymentStatus.Removed, after.Status);
        var refusal = await Assert.ThrowsAsync<RailwayGraphQLException>(() => _client.CancelAsync(id));
        Assert.Contains("not in progress", refusal.Message);
    }

    [Fact]
    public async Task Rolling_back_to_a_good_deployment_creates_a_new_deployment_of_its_commit_that_replaces_the_crashed_one()
    {
        var good = _bed.Fake.SeedDeployment(Svc.ServiceId, Svc.EnvironmentId, "good0001", DeploymentStatus.Success, _bed.Clock.GetUtcNow().AddDays(-1));
        _bed.Fake.ScriptNextDeployment(Svc.ServiceId, DeploymentScript.Crash("segfault"));
        var bad = await _client.DeployServiceAsync(Svc.ServiceId, Svc.EnvironmentId, "bad0002");
        _bed.AdvanceSteps(5);
        Assert.Equal(DeploymentStatus.Crashed, (await _client.GetDeploymentAsync(bad)).Status);
        Assert.True((await _client.GetDeploymentAsync(good)).CanRollback);

        var accepted = await _client.RollbackAsync(good);
        _bed.AdvanceSteps(4);

        Assert.True(accepted);
        var rollback = _bed.Fake.Deployments.Single(d => d.RollbackOf == good);
        Assert.Equal(("good0001", DeploymentStatus.Success), (rollback.CommitHash, rollback.Status));
        Assert.Equal(DeploymentStatus.Removed, (await _client.GetDeploymentAsync(bad)).Status);
        var healthy = await _client.FindLastSuccessfulDeploymentAsync(Svc.ServiceId, Svc.EnvironmentId);
        Assert.Equal(rollback.Id, healthy?.Id);
        var call = _bed.Fake.Calls.Single(c => c.RootFields.Contains("deploymentRollback"));
        Assert.Equal(good, (string?)call.Variables["id"]);
    }

    [Fact]
    public async Task Rolling_back_to_a_deployment_that_never_succeeded_is_refused_without_retrying()
    {
        var failed = _bed.Fake.SeedDeployment(Svc.ServiceId, Svc.EnvironmentId, "f", DeploymentStatus.Failed);

        var error = await Assert.ThrowsAsync<RailwayGraphQLException>(() => _client.RollbackAsync(failed));

        Assert.Equal(["deploymentRollback"], error.Path);
        Assert.False(error.IsTransient);
        Assert.Single(_bed.Fake.Calls);
    }

    [Fact]
    public async Task Restarting_a_crashed_deployment_brings_the_same_deployment_back_up()
    {
        _bed.Fake.ScriptNextDeployment(Svc.ServiceId, DeploymentScript.Crash("oom"));
        var id = await _client.DeployServiceAsync(Svc.ServiceId, Svc.EnvironmentId, null);
        _bed.AdvanceSteps(5);

        Assert.True(await _client.RestartAsync(id));
        var restarting = await _client.GetDeploymentAsync(id);
        _bed.AdvanceSteps(1);
        var restarted = await _client.GetDeploymentAsync(id);
        _bed.AdvanceSteps(1);
        var crashedAgain = await _client.GetDeploymentAsync(id);

        Assert.Equal(DeploymentStatus.Deploying, restarting.Status);
        Assert.Equal(DeploymentStatus.Success, restarted.Status);
        Assert.Equal(DeploymentStatus.Crashed, crashedAgain.Status); // an OOM comes back: a restart is not a fix
        Assert.Single(_bed.Fake.Deployments);
    }

    [Fact]
    public async Task Redeploying_creates_a_fresh_deployment_of_the_same_commit()
    {
        var first = await _client.DeployServiceAsync(Svc.ServiceId, Svc.EnvironmentId, "c0ffee12");
        _bed.AdvanceSteps(4);

        var redeployed = await _client.RedeployAsync(first, usePreviousImageTag: true);
        var serviceRedeploy = await _client.RedeployServiceAsync(Svc.ServiceId, Svc.EnvironmentId);

        Assert.NotEqual(first, redeployed.Id);
        Assert.Equal(("c0ffee12", DeploymentStatus.Queued), (redeployed.CommitHash, redeployed.Status));
        Assert.True(serviceRedeploy);
        Assert.Equal(3, _bed.Fake.Deployments.Count);
        Assert.All(_bed.Fake.Deployments, d => Assert.Equal("c0ffee12", d.CommitHash));
        var call = _bed.Fake.Calls.Single(c => c.RootFields.Contains("deploymentRedeploy"));
        Assert.True((bool?)call.Variables["usePreviousImageTag"]);
    }

    [Fact]
    public async Task Stopping_a_running_deployment_removes_it()
    {
        var id = await _client.DeployServiceAsync(Svc.ServiceId, Svc.EnvironmentId, null);
        _bed.AdvanceSteps(4);

        Assert.True(await _client.StopAsync(id));
        Assert.Equal(DeploymentStatus.Removed, (await _client.GetDeploymentAsync(id)).Status);
        Assert.True(_bed.Fake.GetDeployment(id)!.Stopped);
    }

    [Fact]
    public async Task Listing_pages_through_every_deployment_newest_first_using_cursors()
    {
        var start = _bed.Clock.GetUtcNow();
        var ids = Enumerable.Range(0, 7)
            .Select(i => _bed.Fake.SeedDeployment(Svc.ServiceId, Svc.EnvironmentId, $"c{i}", DeploymentStatus.Removed, start.AddMinutes(i)))
            .ToList();

        var listed = new List<string>();
        await foreach (var d in _client.ListAllDeploymentsAsync(new DeploymentFilter { ServiceId = Svc.ServiceId }, pageSize: 3)) listed.Add(d.Id);

        Assert.Equal(Enumerable.Reverse(ids), listed);
        var calls = _bed.Fake.Calls;
        Assert.Equal(3, calls.Count);
        Assert.Null((string?)calls[0].Variables["after"]);
        Assert.NotNull((string?)calls[1].Variables["after"]);
    }

    [Fact]
    public async Task The_last_successful_deployment_is_found_past_newer_failures()
    {
        var now = _bed.Clock.GetUtcNow();
        _bed.Fake.SeedDeployment(Svc.ServiceId, Svc.EnvironmentId, "old", DeploymentStatus.Removed, now.AddHours(-3));
        var success = _bed.Fake.SeedDeployment(Svc.ServiceId, Svc.EnvironmentId, "good", DeploymentStatus.Success, now.AddHours(-2));
        _bed.Fake.SeedDeployment(Svc.ServiceId, Svc.EnvironmentId, "broken", DeploymentStatus.Failed, now.AddHours(-1));
        var other = _bed.Fake.AddServiceWithProject("worker");

        var found = await _client.FindLastSuccessfulDeploymentAsync(Svc.ServiceId, Svc.EnvironmentId);
        var none = await _client.FindLastSuccessfulDeploymentAsync(other.ServiceId, other.EnvironmentId);

        Assert.Equal(success, found?.Id);
        Assert.Null(none);
        Assert.Equal("SUCCESS", _bed.Fake.Calls[0].Variables["input"]!["status"]!["in"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Metrics_come_back_as_series_of_samples()
    {
        _bed.Fake.SetMetric(Svc.ServiceId, RailwayMetricMeasurement.CpuUsage, 0.75);
        _bed.Fake.SetMetric(Svc.ServiceId, RailwayMetricMeasurement.MemoryUsageGb, 1.5);
        var start = _bed.Clock.GetUtcNow().AddMinutes(-5);

        var series = await _client.GetMetricsAsync(new MetricsQuery(start, [RailwayMetricMeasurement.CpuUsage, RailwayMetricMeasurement.MemoryUsageGb])
        {
            ServiceId = Svc.ServiceId,
            EnvironmentId = Svc.EnvironmentId,
            EndDate = _bed.Clock.GetUtcNow(),
            SampleRateSeconds = 60,
        });

        var cpu = series.Single(s => s.Measurement == RailwayMetricMeasurement.CpuUsage);
        var memory = series.Single(s => s.Measurement == RailwayMetricMeasurement.MemoryUsageGb);
        Assert.Equal(6, cpu.Samples.Count);
        Assert.All(cpu.Samples, s => Assert.Equal(0.75, s.Value));
        Assert.Equal(start.ToUnixTimeSeconds(), cpu.Samples[0].At.ToUnixTimeSeconds());
        Assert.Equal((1.5, Svc.ServiceId), (memory.Samples[0].Value, memory.ServiceId));
    }

    [Fact]
    public async Task Date_time_variables_travel_as_utc_with_z_whatever_the_callers_offset()
    {
        var start = new DateTimeOffset(2026, 3, 1, 14, 30, 0, TimeSpan.FromHours(2));

        await _client.GetMetricsAsync(new MetricsQuery(start, [RailwayMetricMeasurement.CpuUsage]) { ServiceId = Svc.ServiceId, EndDate = start.AddMinutes(5) });

        var variables = _bed.Fake.Calls.Single(c => c.OperationName == "Metrics").Variables;
        Assert.Equal(("2026-03-01T12:30:00.000Z", "2026-03-01T12:35:00.000Z"), ((string?)variables["startDate"], (string?)variables["endDate"]));
    }

    [Fact]
    public async Task Variables_are_upserted_through_an_input_object()
    {
        var ok = await _client.UpsertVariableAsync(new VariableUpsert(Svc.ProjectId, Svc.EnvironmentId, Svc.ServiceId, "DATABASE_URL", "postgres://u:p@h/db"));

        Assert.True(ok);
        Assert.Equal("postgres://u:p@h/db", _bed.Fake.GetVariable(Svc.ProjectId, Svc.EnvironmentId, Svc.ServiceId, "DATABASE_URL"));
        Assert.DoesNotContain("postgres://", _bed.Fake.Calls[0].Document);
    }

    [Fact]
    public async Task A_bad_token_is_a_typed_not_authorized_error_that_is_not_retried()
    {
        var client = _bed.CreateClient("rw-wrong-token-123456");

        var error = await Assert.ThrowsAsync<RailwayGraphQLException>(() => client.GetDeploymentAsync("whatever"));

        Assert.True(error.IsNotAuthorized);
        Assert.Equal(200, error.StatusCode);
        Assert.Equal(["deployment"], error.Path);
        Assert.Equal("Deployment", error.Operation);
        Assert.Single(_bed.Fake.Calls);
    }

    [Fact]
    public async Task An_unknown_deployment_is_a_not_found_graphql_error()
    {
        var error = await Assert.ThrowsAsync<RailwayGraphQLException>(() => _client.GetDeploymentAsync("00000000-0000-0000-0000-000000000000"));

        Assert.Equal("NOT_FOUND", error.Code);
        Assert.Contains("Deployment not found", error.Message);
    }

    [Fact]
    public async Task Rate_limiting_waits_exactly_the_retry_after_the_server_asked_for()
    {
        _bed.Fake.RespondRateLimited(TimeSpan.FromSeconds(7));
        var id = _bed.Fake.SeedDeployment(Svc.ServiceId, Svc.EnvironmentId, "x", DeploymentStatus.Success);

        var call = _client.GetDeploymentAsync(id);
        var requested = await _bed.Clock.WhenDelayRequested(d => d != RailwayTestBed.AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30));
        _bed.Clock.Advance(requested);
        var deployment = await call.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(7), requested);
        Assert.Equal(id, deployment.Id);
        Assert.Equal([429, 200], _bed.Fake.Exchanges.Select(e => e.StatusCode));
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_until_they_clear()
    {
        _bed.Fake.RespondServerError(502, times: 2);
        var id = _bed.Fake.SeedDeployment(Svc.ServiceId, Svc.EnvironmentId, "x", DeploymentStatus.Success);

        var call = _client.GetDeploymentAsync(id);
        for (var i = 0; i < 2; i++)
        {
            var delay = await _bed.Clock.WhenDelayRequested(d => d != RailwayTestBed.AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30));
            _bed.Clock.Advance(delay);
        }

        Assert.Equal(id, (await call.WaitAsync(TimeSpan.FromSeconds(30))).Id);
        Assert.Equal([502, 502, 200], _bed.Fake.Exchanges.Select(e => e.StatusCode));
    }

    [Fact]
    public async Task A_persistent_outage_surfaces_as_platform_unavailable_after_the_configured_attempts()
    {
        _bed.Fake.RespondServerError(503, times: 3);

        var call = _client.GetDeploymentAsync("any");
        for (var i = 0; i < 2; i++)
        {
            var delay = await _bed.Clock.WhenDelayRequested(d => d != RailwayTestBed.AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30));
            _bed.Clock.Advance(delay);
        }

        var error = await Assert.ThrowsAsync<PlatformUnavailableException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(503, error.StatusCode);
        Assert.Equal(3, _bed.Fake.Exchanges.Count);
    }

    [Fact]
    public async Task A_hung_request_times_out_and_is_retried()
    {
        _bed.Fake.HangNext();
        var id = _bed.Fake.SeedDeployment(Svc.ServiceId, Svc.EnvironmentId, "x", DeploymentStatus.Success);

        var call = _client.GetDeploymentAsync(id);
        await Eventually.TrueAsync(() => _bed.Fake.RequestsReceived == 1);
        _bed.Clock.Advance(RailwayTestBed.AttemptTimeout);
        var backoff = await _bed.Clock.WhenDelayRequested(d => d != RailwayTestBed.AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30));
        _bed.Clock.Advance(backoff);

        Assert.Equal(id, (await call.WaitAsync(TimeSpan.FromSeconds(30))).Id);
    }

    [Fact]
    public async Task Cancelling_while_waiting_to_retry_stops_the_call()
    {
        _bed.Fake.RespondRateLimited(TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource();

        var call = _client.GetDeploymentAsync("any", cts.Token);
        await _bed.Clock.WhenDelayRequested(d => d == TimeSpan.FromSeconds(30)).WaitAsync(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Single(_bed.Fake.Exchanges);
    }

    [Fact]
    public async Task Bad_arguments_fail_before_anything_is_sent()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _client.DeployServiceAsync(" ", Svc.EnvironmentId, null));
        await Assert.ThrowsAsync<ArgumentException>(() => _client.GetMetricsAsync(new MetricsQuery(_bed.Clock.GetUtcNow(), [])));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.ListDeploymentsAsync(new DeploymentFilter(), first: 0));
        Assert.Empty(_bed.Fake.Exchanges);
    }
}
