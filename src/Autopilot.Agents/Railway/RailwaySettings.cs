using Autopilot.Agents.Configuration;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Railway;

namespace Autopilot.Agents.Railway;

/// <summary>A Railway service the autopilot watches and repairs, and the branch that feeds it.</summary>
/// <param name="Name">Logical name used everywhere else (policy, alerts, audit).</param>
/// <param name="ServiceId">Railway service id.</param>
/// <param name="EnvironmentId">Railway environment id.</param>
/// <param name="Repository">GitHub repository that deploys to it, if any.</param>
/// <param name="Branch">Watched branch of <paramref name="Repository"/>.</param>
/// <param name="DependsOn">Health targets to check before blaming the service for refused connections.</param>
public sealed record WatchedService(string Name, string ServiceId, string EnvironmentId, GitHubRepository? Repository, string Branch, IReadOnlyList<string> DependsOn);

/// <summary>Settings of the Railway worker and its deployment monitors (<c>autopilot.agents.railway</c>).</summary>
/// <param name="Services">Watched services.</param>
/// <param name="DefaultPollInterval">Poll cadence for statuses without their own entry.</param>
/// <param name="PollIntervals">Poll cadence per status.</param>
/// <param name="StabilisationTimeout">How long a deployment may stay unsettled before it is reported as hung.</param>
/// <param name="StableAfter">How long a SUCCESS must hold before the monitor stops watching (a crash within it is reported).</param>
/// <param name="LogLines">How many trailing log lines to read for diagnosis.</param>
public sealed record RailwaySettings(
    IReadOnlyList<WatchedService> Services,
    TimeSpan DefaultPollInterval,
    IReadOnlyDictionary<DeploymentStatus, TimeSpan> PollIntervals,
    TimeSpan StabilisationTimeout,
    TimeSpan StableAfter,
    int LogLines)
{
    /// <summary>The poll cadence while a deployment is in <paramref name="status"/>.</summary>
    public TimeSpan PollIntervalFor(DeploymentStatus status) => PollIntervals.TryGetValue(status, out var interval) ? interval : DefaultPollInterval;

    /// <summary>The watched service called <paramref name="name"/>, or null.</summary>
    public WatchedService? Find(string name) => Services.FirstOrDefault(s => s.Name == name);

    /// <summary>Reads the <c>railway</c> section.</summary>
    /// <exception cref="SettingException">A missing or malformed key, named in the exception.</exception>
    public static RailwaySettings FromConfig(ConfigSection railway)
    {
        ArgumentNullException.ThrowIfNull(railway);
        var defaultEnvironment = railway.GetString("environment-id", "") ?? "";
        var services = new List<WatchedService>();
        var servicesConfig = railway.GetConfig("services");
        foreach (var name in servicesConfig.Keys)
        {
            var service = servicesConfig.GetConfig(name);
            var environment = service.GetString("environment-id", defaultEnvironment) ?? "";
            var key = service.PathPrefix;
            if (environment.Length == 0)
            {
                throw new SettingException($"{key}.environment-id", $"Service \"{name}\" has no environment-id and railway.environment-id is empty.");
            }

            var repositoryText = service.GetString("repository", "") ?? "";
            GitHubRepository? repository;
            try
            {
                repository = repositoryText.Length == 0 ? null : GitHubRepository.Parse(repositoryText);
            }
            catch (FormatException e)
            {
                throw new SettingException($"{key}.repository", e.Message, e);
            }

            services.Add(new WatchedService(
                name, service.GetString("service-id"), environment, repository, service.GetString("branch", "main") ?? "main", service.GetStringList("depends-on", [])));
        }

        var intervals = new Dictionary<DeploymentStatus, TimeSpan>();
        var intervalsConfig = railway.GetConfig("poll-intervals");
        foreach (var statusName in intervalsConfig.Keys)
        {
            var status = Enum.GetValues<DeploymentStatus>()
                .Where(s => s != DeploymentStatus.Unknown)
                .FirstOrDefault(s => string.Equals(s.ToString(), statusName.Replace("-", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
            if (status == DeploymentStatus.Unknown)
            {
                throw new SettingException(intervalsConfig.KeyOf(statusName), $"\"{statusName}\" is not a Railway deployment status.");
            }

            intervals[status] = intervalsConfig.GetPositiveTimeSpan(statusName);
        }

        var logLines = railway.GetInt("log-lines", 50);
        if (logLines is < 1 or > 5000)
        {
            throw new SettingException(railway.KeyOf("log-lines"), "log-lines must be between 1 and 5000 (Railway's maximum).");
        }

        return new RailwaySettings(
            services,
            railway.GetPositiveTimeSpan("poll-interval"),
            intervals,
            railway.GetPositiveTimeSpan("stabilisation-timeout"),
            railway.GetPositiveTimeSpan("stable-after"),
            logLines);
    }
}
