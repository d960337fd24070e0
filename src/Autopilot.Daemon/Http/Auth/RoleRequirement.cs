using Autopilot.Daemon.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Daemon.Http.Auth;

/// <summary>
/// Endpoint filter of the admin API: 401 (with <c>WWW-Authenticate: Bearer</c>) without a known token, 403 when the
/// token's role is below the endpoint's. The authenticated caller is stored in <see cref="HttpContext.Items"/>.
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
            var authenticator = http.RequestServices.GetRequiredService<ApiTokenAuthenticator>();
            var caller = authenticator.Authenticate(ApiTokenAuthenticator.BearerToken(http.Request.Headers.Authorization));
            if (caller is null)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Json(new ApiError("unauthorized", "A valid bearer token is required (Authorization: Bearer <token>)."),
                    statusCode: StatusCodes.Status401Unauthorized);
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
