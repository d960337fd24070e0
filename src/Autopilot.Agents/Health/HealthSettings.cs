using Autopilot.Agents.Alerts;
using Autopilot.Agents.Configuration;

namespace Autopilot.Agents.Health;

/// <summary>One probed endpoint.</summary>
/// <param name="Name">Target name (its key in <c>health.targets</c>; used by <c>depends-on</c> and <see cref="Protocol.CheckHealth"/>).</param>
/// <param name="Url">What is probed with GET; any 2xx is healthy.</param>
/// <param name="Service">The logical service it belongs to, if any.</param>
/// <param name="RailwayServiceId">Railway service to redeploy when the target stays down (null: never redeployed).</param>
/// <param name="RailwayEnvironmentId">Railway environment of that service.</param>
public sealed record HealthTarget(string Name, Uri Url, string? Service, string? RailwayServiceId, string? RailwayEnvironmentId)
{
    /// <summary>Whether the self-heal loop may redeploy it.</summary>
    public bool CanRedeploy => RailwayServiceId is not null && RailwayEnvironmentId is not null;
}

/// <summary>Settings of the health worker (<c>autopilot.agents.health</c>).</summary>
/// <param name="Targets">Probed endpoints.</param>
/// <param name="Interval">Time between routine probes of a target.</param>
/// <param name="ProbeTimeout">A probe that has not answered after this long failed.</param>
/// <param name="Retries">Retries after a failed probe before the failure counts (and self-heal starts).</param>
/// <param name="RetryDelay">Time between those retries.</param>
/// <param name="RedeployWait">Time given to a redeployed service before it is verified.</param>
/// <param name="EwmaAlpha">Weight of the newest response time in the baseline.</param>
/// <param name="EwmaThreshold">Deviations above the baseline that count as degraded.</param>
/// <param name="EwmaWarmup">Samples before degradation is flagged.</param>
/// <param name="EwmaMinimumDeviation">Floor of the deviation.</param>
public sealed record HealthSettings(
    IReadOnlyList<HealthTarget> Targets,
    TimeSpan Interval,
    TimeSpan ProbeTimeout,
    int Retries,
    TimeSpan RetryDelay,
    TimeSpan RedeployWait,
    double EwmaAlpha,
    double EwmaThreshold,
    int EwmaWarmup,
    TimeSpan EwmaMinimumDeviation)
{
    /// <summary>The defaults (the values <see cref="FromConfig"/> uses for missing keys), without targets.</summary>
    public static HealthSettings Default { get; } = new(
        [], TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10), 3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(90), 0.3, 3.0, 5, TimeSpan.FromMilliseconds(50));

    /// <summary>A fresh detector with these settings.</summary>
    public EwmaDetector NewDetector() => new(EwmaAlpha, EwmaThreshold, EwmaWarmup, EwmaMinimumDeviation);

    /// <summary>Reads the <c>health</c> section; missing keys take the <see cref="Default"/> values.</summary>
    /// <exception cref="SettingException">A malformed key, named in the exception.</exception>
    public static HealthSettings FromConfig(ConfigSection health)
    {
        ArgumentNullException.ThrowIfNull(health);
        var d = Default;
        var targets = new List<HealthTarget>();
        if (health.HasPath("targets"))
        {
            var targetsConfig = health.GetConfig("targets");
            foreach (var name in targetsConfig.Keys)
            {
                var target = targetsConfig.GetConfig(ConfigSection.Quote(name));
                var urlText = target.GetString("url");
                if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                {
                    throw new SettingException(target.KeyOf("url"), "must be an absolute http(s) URL.");
                }

                var serviceId = NullIfEmpty(target.GetString("railway-service-id", ""));
                var environmentId = NullIfEmpty(target.GetString("railway-environment-id", ""));
                if ((serviceId is null) != (environmentId is null))
                {
                    throw new SettingException(target.KeyOf("railway-environment-id"), "railway-service-id and railway-environment-id go together.");
                }

                targets.Add(new HealthTarget(name, url, NullIfEmpty(target.GetString("service", "")), serviceId, environmentId));
            }
        }

        var retries = health.GetInt("retries", d.Retries);
        if (retries < 0)
        {
            throw new SettingException(health.KeyOf("retries"), "must not be negative.");
        }

        var alpha = health.GetDouble("ewma.alpha", d.EwmaAlpha);
        if (alpha is <= 0 or > 1)
        {
            throw new SettingException(health.KeyOf("ewma.alpha"), "must be in (0, 1].");
        }

        var threshold = health.GetDouble("ewma.threshold", d.EwmaThreshold);
        if (threshold <= 0)
        {
            throw new SettingException(health.KeyOf("ewma.threshold"), "must be positive.");
        }

        var warmup = health.GetIntAtLeast("ewma.warmup", 1, d.EwmaWarmup);

        var minimumDeviation = health.GetTimeSpan("ewma.minimum-deviation", d.EwmaMinimumDeviation);
        if (minimumDeviation < TimeSpan.Zero)
        {
            throw new SettingException(health.KeyOf("ewma.minimum-deviation"), "must not be negative.");
        }

        return new HealthSettings(
            targets,
            health.GetPositiveTimeSpan("interval", d.Interval),
            health.GetPositiveTimeSpan("probe-timeout", d.ProbeTimeout),
            retries,
            health.GetPositiveTimeSpan("retry-delay", d.RetryDelay),
            health.GetPositiveTimeSpan("redeploy-wait", d.RedeployWait),
            alpha,
            threshold,
            warmup,
            minimumDeviation);
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
