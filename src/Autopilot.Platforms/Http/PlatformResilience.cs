using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Autopilot.Platforms.Http;

/// <summary>
/// The one retry policy every platform client goes through: exponential backoff with jitter for transient
/// failures, the server's Retry-After honoured as the delay, no retry for requests that cannot succeed, and a
/// per-attempt timeout. Time comes from the injected <see cref="TimeProvider"/> so tests run on virtual time.
/// </summary>
public sealed class PlatformResilience
{
    private readonly string _platform;
    private readonly PlatformCallOptions _options;
    private readonly Redactor _redactor;
    private readonly ILogger _logger;

    /// <summary>Builds the pipeline for <paramref name="platform"/>; invalid options throw <see cref="ArgumentException"/>.</summary>
    public PlatformResilience(string platform, PlatformCallOptions options, TimeProvider timeProvider, Redactor redactor, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(platform);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _platform = platform;
        _options = options.Validate();
        _redactor = redactor;
        _logger = logger;

        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && ShouldRetry(e)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is PlatformException { RetryAfter: { } retryAfter } ? retryAfter : (TimeSpan?)null),
                OnRetry = args =>
                {
                    _logger.LogWarning(
                        "Retrying {Platform} call in {Delay} (attempt {Attempt} of {MaxAttempts}) after {Failure}",
                        _platform, args.RetryDelay, args.AttemptNumber + 2, _options.MaxAttempts, Describe(args.Outcome.Exception));
                    return ValueTask.CompletedTask;
                },
            });
        }
        builder.AddTimeout(options.AttemptTimeout);
        Pipeline = builder.Build();
    }

    /// <summary>The underlying Polly pipeline, for callers that compose it with their own strategies.</summary>
    public ResiliencePipeline Pipeline { get; }

    /// <summary>
    /// Runs <paramref name="attempt"/> under the pipeline. A final timeout or connection failure surfaces as
    /// <see cref="PlatformUnavailableException"/>, so callers only ever see <see cref="PlatformException"/>s
    /// (or <see cref="OperationCanceledException"/> when they cancelled).
    /// </summary>
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> attempt, CancellationToken cancellationToken)
    {
        try
        {
            return await Pipeline.ExecuteAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException)
        {
            throw new PlatformUnavailableException(_platform, $"{_platform} did not answer within {_options.AttemptTimeout}.");
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The inner exception is deliberately dropped: transport messages can echo URLs or headers.
            throw new PlatformUnavailableException(_platform, $"{_platform} is unreachable: {_redactor.Redact(e.Message)}", (int?)e.StatusCode);
        }
    }

    /// <summary>
    /// Whether a failure is worth another attempt: transient platform errors whose requested wait is acceptable,
    /// attempt timeouts and transport failures. Everything else (4xx, auth, GraphQL validation) fails fast.
    /// </summary>
    public bool ShouldRetry(Exception exception) => exception switch
    {
        PlatformException e => e.IsTransient && (e.RetryAfter is null || e.RetryAfter <= _options.MaxRetryAfter),
        TimeoutRejectedException => true,
        HttpRequestException => true,
        _ => false,
    };

    private string Describe(Exception? exception) => exception switch
    {
        null => "no exception",
        PlatformException e => $"{e.GetType().Name} ({e.StatusCode?.ToString() ?? "no status"}): {e.Message}",
        _ => $"{exception.GetType().Name}: {_redactor.Redact(exception.Message)}",
    };
}
