using System.Globalization;

namespace Autopilot.Daemon.Simulation;

/// <summary>
/// What <c>autopilotd --simulate</c> prints on stderr once it listens: the fakes, the CLI command to watch the loop
/// (with <c>--host</c> when the daemon is not on the CLI's default address) and the throwaway webhook secret with a
/// ready-to-paste curl example. Only the simulation's own random values are printed, never a configured secret.
/// </summary>
public static class SimulationBanner
{
    /// <summary>The CLI's default daemon address (<c>Autopilot.Cli.GlobalOptions.DefaultHost</c>).</summary>
    public const string CliDefaultHost = "127.0.0.1:9110";

    /// <summary>The banner's lines.</summary>
    /// <param name="simulation">The running fakes.</param>
    /// <param name="daemon">Where the daemon listens (as Kestrel reports it; a wildcard bind is shown as loopback).</param>
    public static IReadOnlyList<string> Lines(SimulatedPlatforms simulation, Uri daemon)
    {
        ArgumentNullException.ThrowIfNull(simulation);
        ArgumentNullException.ThrowIfNull(daemon);
        var address = Reachable(daemon);
        var hostPort = address.IsDefaultPort ? address.Host : string.Create(CultureInfo.InvariantCulture, $"{address.Host}:{address.Port}");
        var hostOption = string.Equals(hostPort, CliDefaultHost, StringComparison.OrdinalIgnoreCase) ? "" : $"--host {hostPort} ";
        var baseUrl = address.GetLeftPart(UriPartial.Authority);
        return
        [
            $"autopilotd: simulating Railway ({simulation.Railway.BaseAddress}), GitHub ({simulation.GitHub.BaseAddress}), "
            + $"n8n ({simulation.N8n.BaseAddress}) and Telegram ({simulation.Telegram.BaseAddress}); demo service '{SimulatedPlatforms.DemoService}'.",
            $"autopilotd: watch it with:  AUTOPILOT_TOKEN={simulation.SessionToken} dotnet run --project src/Autopilot.Cli -- {hostOption}audit tail -f",
            $"autopilotd: webhook secret of this simulation (throwaway, all three sources; GitHub signs with it): {simulation.WebhookSecret}",
            $"autopilotd: post a webhook with:  curl -i -X POST {baseUrl}/webhooks/railway -H 'X-Autopilot-Token: {simulation.WebhookSecret}' "
            + $"-H 'Content-Type: application/json' -d '{{\"type\":\"DEPLOY\",\"status\":\"SUCCESS\",\"service\":\"{SimulatedPlatforms.DemoService}\"}}'",
        ];
    }

    /// <summary>The daemon's first listening address from Kestrel's list (e.g. <c>WebApplication.Urls</c>).</summary>
    public static Uri AddressOf(IEnumerable<string> urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var first = urls.FirstOrDefault() ?? "http://" + CliDefaultHost;
        // Kestrel reports wildcard binds as http://[::]:port, http://0.0.0.0:port or http://+:port.
        first = first.Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal);
        return new Uri(first);
    }

    private static Uri Reachable(Uri address)
    {
        var host = address.Host is "0.0.0.0" or "[::]" or "::" ? "127.0.0.1" : address.Host;
        return new UriBuilder(address) { Host = host, Path = "" }.Uri;
    }
}
