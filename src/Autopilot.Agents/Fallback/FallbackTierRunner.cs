using System.ComponentModel;
using System.Diagnostics;
using System.Net.Http.Json;
using Autopilot.Agents.N8n;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Agents.Fallback;

/// <summary>
/// Runs one attempt of one tier. Timeouts are not its business: the router cancels <c>cancellationToken</c> when a
/// tier's time is up (on the actor system's clock), and the runner then abandons the request or kills the process.
/// </summary>
public sealed class FallbackTierRunner
{
    private const int SnippetLength = 300;
    private readonly HttpClient _http;
    private readonly Redactor _redactor;
    private readonly TimeProvider _time;

    /// <summary>Creates a runner; <paramref name="http"/> should have no timeout of its own (the router times attempts).</summary>
    public FallbackTierRunner(HttpClient http, Redactor redactor, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(time);
        _http = http;
        _redactor = redactor;
        _time = time;
    }

    /// <summary>
    /// Runs <paramref name="tier"/> for <paramref name="job"/>; returns what happened or throws
    /// <see cref="FallbackTierFailedException"/> (with a redacted message), or <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public async Task<string> RunAsync(FallbackTier tier, FallbackJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tier);
        ArgumentNullException.ThrowIfNull(job);
        try
        {
            return tier.Kind switch
            {
                FallbackTierKind.Http => await PostAsync(tier, job, classifyAsN8n: false, cancellationToken).ConfigureAwait(false),
                FallbackTierKind.N8n => await PostAsync(tier, job, classifyAsN8n: true, cancellationToken).ConfigureAwait(false),
                _ => await RunCommandAsync(tier, job, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (Exception e) when (e is not (FallbackTierFailedException or OperationCanceledException))
        {
            // Whatever else went wrong, its text may carry a URL or output with a secret in it.
            throw new FallbackTierFailedException(tier.Name, $"{e.GetType().Name}: {_redactor.Snippet(e.Message, SnippetLength)}");
        }
    }

    /// <summary>
    /// The process a command tier starts: the executable as configured and each argument with <c>{task}</c> and
    /// <c>{workflow}</c> replaced. Inputs land in <see cref="ProcessStartInfo.ArgumentList"/>, one element per
    /// argument, so no shell ever parses them: quotes, <c>;</c> or <c>$(…)</c> in a workflow id stay literal text.
    /// </summary>
    public static ProcessStartInfo StartInfoFor(FallbackTier tier, FallbackJob job)
    {
        ArgumentNullException.ThrowIfNull(tier);
        ArgumentNullException.ThrowIfNull(job);
        var start = new ProcessStartInfo(tier.Command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            CreateNoWindow = true,
        };
        foreach (var argument in tier.Command.Skip(1))
        {
            start.ArgumentList.Add(argument.Replace("{task}", job.Task, StringComparison.Ordinal).Replace("{workflow}", job.WorkflowId, StringComparison.Ordinal));
        }

        return start;
    }

    private async Task<string> PostAsync(FallbackTier tier, FallbackJob job, bool classifyAsN8n, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        string body;
        int status;
        try
        {
            using var response = await _http.PostAsJsonAsync(tier.Url, new
            {
                task = job.Task,
                workflowId = job.WorkflowId,
                executionId = job.ExecutionId,
                reason = job.Reason,
            }, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new FallbackTierFailedException(tier.Name, $"unreachable: {_redactor.Redact(e.Message)}");
        }

        var snippet = _redactor.Snippet(body, SnippetLength);
        if (classifyAsN8n)
        {
            var kind = N8nFailureClassifier.Classify(new PlatformCall("n8n", "POST webhook", status, _time.GetElapsedTime(started), snippet));
            return kind == N8nFailureKind.None
                ? $"webhook answered {status}"
                : throw new FallbackTierFailedException(tier.Name, $"webhook answered {status} ({N8nFailureClassifier.NameOf(kind)}): {snippet}");
        }

        return status is >= 200 and < 300
            ? $"answered {status}"
            : throw new FallbackTierFailedException(tier.Name, $"answered {status}: {snippet}");
    }

    private async Task<string> RunCommandAsync(FallbackTier tier, FallbackJob job, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = StartInfoFor(tier, job) };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            throw new FallbackTierFailedException(tier.Name, $"could not start {tier.Command[0]}: {_redactor.Redact(e.Message)}");
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var text = _redactor.Snippet(((await output.ConfigureAwait(false)) + (await errors.ConfigureAwait(false))).Trim(), SnippetLength);
        return process.ExitCode == 0
            ? $"exit 0{(text.Length > 0 ? $": {text}" : "")}"
            : throw new FallbackTierFailedException(tier.Name, $"exit {process.ExitCode}{(text.Length > 0 ? $": {text}" : "")}");
    }
}
