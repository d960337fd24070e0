using System.Reflection;
using Autopilot.Platforms.Http;

namespace Autopilot.Daemon.Runtime;

/// <summary>
/// The client of a platform that has no credentials: every call fails with a
/// <see cref="PlatformAuthenticationException"/> saying which keys to set. The agents treat it like any other
/// refused call (recorded, alerted), so a partial setup runs instead of failing the start.
/// </summary>
public class UnconfiguredPlatform : DispatchProxy
{
    private PlatformAuthenticationException? _error;

    /// <summary>A <typeparamref name="TClient"/> whose every call fails with <paramref name="detail"/>.</summary>
    /// <param name="platform">Platform name, e.g. <c>railway</c>.</param>
    /// <param name="detail">What to configure, from <see cref="Configuration.PlatformStatus.Detail"/>.</param>
    public static TClient Create<TClient>(string platform, string detail)
        where TClient : class
    {
        var client = Create<TClient, UnconfiguredPlatform>();
        ((UnconfiguredPlatform)(object)client)._error = new PlatformAuthenticationException(platform, $"{platform} is {detail}", null);
        return client;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var error = _error!;
        var returns = targetMethod?.ReturnType;
        if (returns == typeof(Task))
        {
            return Task.FromException(error);
        }

        if (returns is { IsGenericType: true } && returns.GetGenericTypeDefinition() == typeof(Task<>))
        {
            return FromException.MakeGenericMethod(returns.GetGenericArguments()[0]).Invoke(null, [error]);
        }

        throw error;
    }

    private static readonly MethodInfo FromException = typeof(Task).GetMethods()
        .Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethodDefinition);
}
