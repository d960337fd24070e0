using Autopilot.Platforms.Tests.Support;
using Xunit;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Autopilot.Simulator.Hosting;

namespace Autopilot.Platforms.Tests.Http;

public sealed class PlatformResilienceTests
{
    // Distinctive values so a test can tell retry delays apart from the per-attempt timeout timer.
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(97);
    private static readonly PlatformCallOptions Options = new(
        MaxAttempts: 3,
        BaseDelay: TimeSpan.FromSeconds(1),
        MaxDelay: TimeSpan.FromSeconds(8),
        AttemptTimeout: AttemptTimeout,
        MaxRetryAfter: TimeSpan.FromMinutes(2));

    private readonly ObservableFakeTimeProvider _clock = new();
    private readonly CapturingLogger _logger = new();

    private PlatformResilience Create(PlatformCallOptions? options = null) =>
        new("testplatform", options ?? Options, _clock, new Redactor(), _logger);

    /// <summary>Waits until the pipeline sleeps before a retry, then lets that much virtual time pass.</summary>
    private async Task<TimeSpan> PassNextRetryDelayAsync()
    {
        var delay = await _clock.WhenDelayRequested(d => d != AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30));
        _clock.Advance(delay);
        return delay;
    }

    [Fact]
    public async Task Transient_failures_are_retried_until_success()
    {
        var attempts = 0;
        var call = Create().ExecuteAsync(_ =>
        {
            attempts++;
            return attempts < 3
                ? throw new PlatformUnavailableException("testplatform", "503 from upstream", 503)
                : ValueTask.FromResult("done");
        }, CancellationToken.None);

        await PassNextRetryDelayAsync();
        await PassNextRetryDelayAsync();

        Assert.Equal("done", await call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(3, attempts);
        Assert.Equal(2, _logger.Lines.Count(l => l.Contains("Retrying testplatform call")));
    }

    [Fact]
    public async Task Server_requested_retry_after_is_the_delay_used()
    {
        var attempts = 0;
        var call = Create().ExecuteAsync(_ =>
        {
            attempts++;
            return attempts == 1
                ? throw new PlatformRateLimitedException("testplatform", "slow down", 429, TimeSpan.FromSeconds(37))
                : ValueTask.FromResult(attempts);
        }, CancellationToken.None);

        // 37 s is far above MaxDelay (8 s): the server's word wins over our own backoff cap.
        Assert.Equal(TimeSpan.FromSeconds(37), await PassNextRetryDelayAsync());
        Assert.Equal(2, await call.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Retry_after_longer_than_the_acceptable_wait_is_surfaced_instead_of_waited()
    {
        var attempts = 0;
        var call = Create().ExecuteAsync<int>(_ =>
        {
            attempts++;
            throw new PlatformRateLimitedException("testplatform", "reset in an hour", 403, TimeSpan.FromHours(1));
        }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<PlatformRateLimitedException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromHours(1), error.RetryAfter);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task Requests_that_cannot_succeed_are_not_retried()
    {
        var attempts = 0;
        var call = Create().ExecuteAsync<int>(_ =>
        {
            attempts++;
            throw new PlatformRequestException("testplatform", "422 validation failed", 422);
        }, CancellationToken.None);

        await Assert.ThrowsAsync<PlatformRequestException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, attempts);
        Assert.DoesNotContain(_clock.RequestedDelays, d => d != AttemptTimeout);
    }

    [Fact]
    public async Task Exhausted_attempts_surface_the_last_transient_failure()
    {
        var attempts = 0;
        var call = Create().ExecuteAsync<int>(_ =>
        {
            attempts++;
            throw new PlatformUnavailableException("testplatform", $"502 on attempt {attempts}", 502);
        }, CancellationToken.None);

        await PassNextRetryDelayAsync();
        await PassNextRetryDelayAsync();

        var error = await Assert.ThrowsAsync<PlatformUnavailableException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("502 on attempt 3", error.Message);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task An_attempt_that_hangs_times_out_and_finally_reports_the_platform_unavailable()
    {
        var attempts = 0;
        var call = Create().ExecuteAsync<int>(async ct =>
        {
            attempts++;
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return 0;
        }, CancellationToken.None);

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await _clock.WhenDelayRequested(d => d == AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30));
            _clock.Advance(AttemptTimeout);
            if (attempt < 3) await PassNextRetryDelayAsync();
        }

        var error = await Assert.ThrowsAsync<PlatformUnavailableException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("did not answer", error.Message);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task Backoff_delays_grow_but_never_exceed_the_cap()
    {
        var options = Options with { MaxAttempts = 7 };
        var attempts = 0;
        var call = Create(options).ExecuteAsync(_ =>
        {
            attempts++;
            return attempts < 7
                ? throw new PlatformUnavailableException("testplatform", "500", 500)
                : ValueTask.FromResult(attempts);
        }, CancellationToken.None);

        var delays = new List<TimeSpan>();
        for (var i = 0; i < 6; i++) delays.Add(await PassNextRetryDelayAsync());

        Assert.Equal(7, await call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, options.MaxDelay));
        Assert.Contains(delays, d => d > options.BaseDelay);
    }

    [Fact]
    public async Task Caller_cancellation_stops_retrying()
    {
        using var cts = new CancellationTokenSource();
        var attempts = 0;
        var call = Create().ExecuteAsync<int>(_ =>
        {
            attempts++;
            throw new PlatformUnavailableException("testplatform", "503", 503);
        }, cts.Token);

        await _clock.WhenDelayRequested(d => d != AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30));
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task Transport_failures_are_retried_and_reported_as_unavailable_without_their_raw_text()
    {
        var redactor = new Redactor();
        redactor.Register("tok-123456");
        var resilience = new PlatformResilience("testplatform", Options with { MaxAttempts = 2 }, _clock, redactor, _logger);
        var attempts = 0;
        var call = resilience.ExecuteAsync<int>(_ =>
        {
            attempts++;
            throw new HttpRequestException("Connection refused (host/bottok-123456/getMe)");
        }, CancellationToken.None);

        await PassNextRetryDelayAsync();

        var error = await Assert.ThrowsAsync<PlatformUnavailableException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, attempts);
        Assert.DoesNotContain("tok-123456", error.Message);
        Assert.Null(error.InnerException);
        Assert.DoesNotContain(_logger.Lines, l => l.Contains("tok-123456"));
    }

    [Theory]
    [InlineData(0, 1, 2, 1)]
    [InlineData(3, -1, 2, 1)]
    [InlineData(3, 4, 2, 1)]
    [InlineData(3, 1, 2, 0)]
    public void Nonsensical_options_are_rejected(int maxAttempts, int baseDelay, int maxDelay, int attemptTimeout)
    {
        var options = new PlatformCallOptions(maxAttempts, TimeSpan.FromSeconds(baseDelay), TimeSpan.FromSeconds(maxDelay),
            TimeSpan.FromSeconds(attemptTimeout), TimeSpan.FromMinutes(1));

        Assert.Throws<ArgumentException>(() => Create(options));
    }
}
