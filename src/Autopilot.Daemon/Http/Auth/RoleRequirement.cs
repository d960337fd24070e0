using Autopilot.Daemon.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Daemon.Http.Auth;

/// <summary>
/// Endpoint filter of the admin API: 429 for a client address over its failed-authentication budget (before anything
/// else), 401 (with <c>WWW-Authenticate: Bearer</c>) without a known token (counted against the client address), 429
/// for a token over its own budget, 403 when the token's role is below the endpoint's (see <see cref="ClientRateLimits"/>). The authenticated caller is stored in <see cref="HttpContext.Items"/>.
/// </summary>
public static class RoleRequirement
{
    private const string CallerKey = "autopilot.caller";

    /// <summary>Requires at least <paramref name="role"/> on the endpoints of <paramref name="builder"/>.</summary>
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, ApiRole role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var limits = http.RequestServices.GetRequiredService<ClientRateLimits>();
            var charge = ClientRateLimits.FirstCheck(http);
            var client = ClientRateLimits.ClientOf(http);
            // A client that keeps failing is refused before its token is even hashed.
            if (limits.IsLockedOut(client, out var lockedFor))
            {
                return ClientRateLimits.TooManyRequests(http, lockedFor, "Too many failed authentications from this address; try again later.");
            }

            var authenticator = http.RequestServices.GetRequiredService<ApiTokenAuthenticator>();
            var token = ApiTokenAuthenticator.BearerToken(http.Request.Headers.Authorization);
            var caller = authenticator.Authenticate(token);
            if (caller is null)
            {
                // Failures are counted per client address, never per presented token (inventing tokens buys nothing).
                if (charge && !limits.RecordFailure(client, out var retryAfter))
                {
                    return ClientRateLimits.TooManyRequests(http, retryAfter, "Too many failed authentications from this address; try again later.");
                }

                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Json(new ApiError("unauthorized", "A valid bearer token is required (Authorization: Bearer <token>)."),
                    statusCode: StatusCodes.Status401Unauthorized);
            }

            // Only a token that authenticated has a budget of its own.
            if (charge && !limits.TryAcquireToken(token!, out var tokenRetryAfter))
            {
                return ClientRateLimits.TooManyRequests(http, tokenRetryAfter, $"Token '{caller.Name}' is over its request budget (autopilot.http.rate-limit); try again later.");
            }

            if (caller.Role < role)
            {
                return Results.Json(new ApiError("forbidden", $"Token '{caller.Name}' has role {caller.Role.ToString().ToLowerInvariant()}; this needs {role.ToString().ToLowerInvariant()}."),
                    statusCode: StatusCodes.Status403Forbidden);
            }

            http.Items[CallerKey] = caller;
            return await next(context);
        });

    /// <summary>The caller a <see cref="RequireRole{TBuilder}"/> filter authenticated.</summary>
    public static ApiCaller Caller(this HttpContext context) =>
        context.Items[CallerKey] as ApiCaller ?? throw new InvalidOperationException("The endpoint has no RequireRole filter.");
}
