namespace Autopilot.Actors.Sql.Connectivity;

/// <summary>
/// Runs a store's start-up (connect, create schema) until it succeeds or is cancelled, waiting a capped exponential
/// backoff between attempts. Each failed attempt updates health and logs one warning: one line per backoff step.
/// </summary>
public sealed class StartupRetry(string storeName, StoreHealth health, RetryBackoff backoff, ILogger logger, TimeProvider timeProvider)
{
    /// <summary>Runs <paramref name="attempt"/> until it completes without throwing.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    public async Task RunAsync(Func<CancellationToken, Task> attempt, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await attempt(cancellationToken).ConfigureAwait(false);
                health.ReportHealthy();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var failures = health.ReportUnreachable(e, logTransition: false);
                var delay = backoff.DelayAfter(failures);
                logger.LogWarning("{Store} cannot start (attempt {Attempt}): {Detail}; retrying in {Delay}",
                    storeName, failures, health.Current.Detail, delay);
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
