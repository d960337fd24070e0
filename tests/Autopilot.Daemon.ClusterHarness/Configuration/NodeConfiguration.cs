using System.Globalization;
using System.Text;
using Autopilot.Daemon.ClusterHarness.Platforms;

namespace Autopilot.Daemon.ClusterHarness.Configuration;

/// <summary>
/// Writes one node's <c>--config</c> file: PostgreSQL journal, cluster on, its node id and loopback port, the shared
/// fakes with this node's own credentials, the admin token, its data dir, and agent timings short enough for a test.
/// Everything a node knows comes from this file (the harness clears the daemon's environment variables).
/// </summary>
public static class NodeConfiguration
{
    /// <summary>Renders the HOCON of one node.</summary>
    /// <param name="nodeId">Node id and node name.</param>
    /// <param name="port">HTTP port on 127.0.0.1.</param>
    /// <param name="dataDirectory">The node's own data dir.</param>
    /// <param name="connectionString">PostgreSQL database of the journal and the cluster tables.</param>
    /// <param name="adminToken">Bearer token of the admin API.</param>
    /// <param name="platforms">The shared fakes.</param>
    /// <param name="credentials">This node's credentials on them.</param>
    /// <param name="timings">Cluster timings.</param>
    public static string Render(string nodeId, int port, string dataDirectory, string connectionString, string adminToken,
        PlatformFakes platforms, NodeCredentials credentials, ClusterTimings timings)
    {
        ArgumentNullException.ThrowIfNull(platforms);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(timings);
        var hocon = new StringBuilder();
        hocon.AppendLine(CultureInfo.InvariantCulture, $$"""
            autopilot {
              daemon {
                node-name = {{Quote(nodeId)}}
                data-dir = {{Quote(dataDirectory)}}
                shutdown-timeout = 20s
              }
              http {
                host = "127.0.0.1"
                port = {{port}}
                rate-limit.permits = 1000000
              }
              persistence {
                journal {
                  plugin = postgresql
                  postgresql.connection-string = {{Quote(connectionString)}}
                }
                query-poll-interval = 200ms
              }
              cluster {
                enabled = on
                node-id = {{Quote(nodeId)}}
            """);
        foreach (var line in timings.Hocon())
        {
            hocon.AppendLine(CultureInfo.InvariantCulture, $"    {line}");
        }

        hocon.AppendLine(CultureInfo.InvariantCulture, $$"""
              }
              api.tokens.harness { role = admin, token = {{Quote(adminToken)}} }
              platforms {
                railway { endpoint = {{Quote(platforms.Railway.Endpoint.ToString())}}, api-token = {{Quote(credentials.RailwayToken)}}, webhook-secret = {{Quote(platforms.WebhookSecret)}} }
                github { api-url = {{Quote(platforms.GitHub.BaseAddress.ToString())}}, token = {{Quote(credentials.GitHubToken)}} }
                telegram { api-url = {{Quote(platforms.Telegram.BaseAddress.ToString())}}, bot-token = {{Quote(credentials.TelegramBotToken)}}, chat-id = "{{PlatformFakes.AlertChat}}" }
              }
              agents {
                orchestrator.cycle-interval = 1s
                railway {
                  poll-interval = 200ms
                  # Long enough that a crash right after SUCCESS is always caught by the same monitor.
                  stable-after = 30s
                  services.{{Quote(PlatformFakes.ServiceName)}} {
                    service-id = {{Quote(platforms.Service.ServiceId)}}
                    environment-id = {{Quote(platforms.Service.EnvironmentId)}}
                    repository = "{{PlatformFakes.RepositoryOwner}}/{{PlatformFakes.RepositoryName}}"
                    branch = "main"
                  }
                }
                github.incident-repository = "{{PlatformFakes.RepositoryOwner}}/{{PlatformFakes.RepositoryName}}"
              }
            }
            """);
        return hocon.ToString();
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
