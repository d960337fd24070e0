using Autopilot.Platforms.Http;

namespace Autopilot.Agents.N8n;

/// <summary>
/// Decides whether an n8n call failed, and how, from what the call looked like. The rules are checked in a fixed
/// priority order so a call matching several (a slow 504 whose body says "auth") always gets the same verdict:
/// duration over the execution timeout, then status 403, then status 504, then keywords of the (redacted) body —
/// auth, gateway/timeout, webhook, error — and finally any other non-2xx status as a generic error.
/// </summary>
public static class N8nFailureClassifier
{
    /// <summary>The execution timeout of the design notes: a call that took longer than this failed.</summary>
    public static readonly TimeSpan DefaultExecutionTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Classifies <paramref name="call"/>; <paramref name="executionTimeout"/> defaults to <see cref="DefaultExecutionTimeout"/>.</summary>
    public static N8nFailureKind Classify(PlatformCall call, TimeSpan? executionTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.Duration > (executionTimeout ?? DefaultExecutionTimeout))
        {
            return N8nFailureKind.ExecutionTimeout;
        }

        switch (call.StatusCode)
        {
            case 403:
                return N8nFailureKind.AuthFailure;
            case 504:
                return N8nFailureKind.GatewayTimeout;
        }

        var body = call.BodySnippet ?? "";
        if (Contains(body, "auth"))
        {
            return N8nFailureKind.AuthFailure;
        }

        if (Contains(body, "gateway") || Contains(body, "timeout"))
        {
            return N8nFailureKind.GatewayTimeout;
        }

        if (Contains(body, "webhook"))
        {
            return N8nFailureKind.WebhookFailure;
        }

        if (Contains(body, "error"))
        {
            return N8nFailureKind.GenericError;
        }

        // Not in the design notes' keyword list, but a 404 or 500 without telling words is still not a success.
        return call.StatusCode is >= 200 and < 400 ? N8nFailureKind.None : N8nFailureKind.GenericError;
    }

    /// <summary>The short name of a failure kind used in audit events and alerts (e.g. <c>gateway-timeout</c>).</summary>
    public static string NameOf(N8nFailureKind kind) => kind switch
    {
        N8nFailureKind.None => "none",
        N8nFailureKind.ExecutionTimeout => "execution-timeout",
        N8nFailureKind.AuthFailure => "auth-failure",
        N8nFailureKind.GatewayTimeout => "gateway-timeout",
        N8nFailureKind.WebhookFailure => "webhook-failure",
        N8nFailureKind.GenericError => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown failure kind"),
    };

    private static bool Contains(string text, string keyword) => text.Contains(keyword, StringComparison.OrdinalIgnoreCase);
}
