using System.Text.RegularExpressions;
using Autopilot.Daemon.Configuration;
using YamlDotNet.RepresentationModel;

namespace Autopilot.Daemon.Tests.Deployment;

/// <summary>
/// docker-compose.yml and the Dockerfile cannot be run here (no Docker engine), so they are checked statically: the
/// services, health checks and start order, and that every daemon's environment is a valid configuration.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly YamlMappingNode Services = (YamlMappingNode)LoadCompose()["services"];
    // The daemon services are the ones built from the repository's Dockerfile: the three nodes of the cluster.
    private static readonly string[] Daemons = Services.Children
        .Where(c => c.Value is YamlMappingNode service && service.Children.ContainsKey(new YamlScalarNode("build")))
        .Select(c => c.Key.ToString())
        .Order()
        .ToArray();

    [Fact]
    public void The_stack_is_postgresql_n8n_and_the_daemon_each_with_a_health_check()
    {
        Assert.NotEmpty(Daemons);
        Assert.All(Daemons, d => Assert.StartsWith("autopilot", d));
        Assert.Equal([.. Daemons, "n8n", "postgres"], Services.Children.Keys.Select(k => k.ToString()).Order());
        foreach (var (name, service) in Services.Children.Select(c => (c.Key.ToString(), (YamlMappingNode)c.Value)))
        {
            var test = Assert.IsType<YamlSequenceNode>(Child(service, "healthcheck")["test"], exactMatch: false);
            Assert.True(test.Children.Count >= 2, $"{name} has an empty health check");
        }

        Assert.Contains("pg_isready", Text(Child(Services, "postgres"), "healthcheck", "test"));
        Assert.Contains("/healthz", Text(Child(Services, "n8n"), "healthcheck", "test"));
    }

    [Fact]
    public void Each_daemon_waits_for_healthy_postgresql_and_n8n_and_is_healthy_only_when_ready()
    {
        foreach (var daemon in Daemons.Select(d => Child(Services, d)))
        {
            var dependsOn = Child(daemon, "depends_on");
            Assert.Equal("service_healthy", Text(Child(dependsOn, "postgres"), "condition"));
            Assert.Equal("service_healthy", Text(Child(dependsOn, "n8n"), "condition"));
            var check = Text(daemon, "healthcheck", "test");
            Assert.Contains("GET /ready", check);
            Assert.Contains("/dev/tcp/127.0.0.1/9110", check);
            Assert.StartsWith("CMD bash -c", check);
            Assert.Equal("Dockerfile", Text(daemon, "build", "dockerfile"));
        }
    }

    [Fact]
    public void The_three_daemons_are_one_cluster_on_the_postgresql_journal_each_with_its_own_name_address_and_port_seeded_by_all()
    {
        var nodes = new List<DaemonSettings>();
        var hostPorts = new List<string>();
        foreach (var daemon in Daemons.Select(d => Child(Services, d)))
        {
            var environment = Child(daemon, "environment").Children.ToDictionary(e => e.Key.ToString(), e => Interpolate(e.Value.ToString()));
            nodes.Add(DaemonSettings.FromConfig(DaemonConfiguration.Load(null, null, environment.GetValueOrDefault), "/app"));
            hostPorts.Add(((YamlSequenceNode)daemon["ports"]).Children.Single().ToString().Split(':')[1]);
        }

        Assert.All(nodes, n => Assert.Equal("postgresql", n.Journal.Plugin));
        Assert.All(nodes, n => Assert.Contains("Host=postgres", n.Journal.ConnectionString));
        Assert.All(nodes, n => Assert.Equal("0.0.0.0", n.Http.Host));
        Assert.Equal(Daemons.Length, nodes.Select(n => n.NodeName).Distinct().Count());
        Assert.Equal(Daemons.Length, hostPorts.Distinct().Count());
        Assert.Equal(3, Daemons.Length);
        Assert.All(nodes, n => Assert.True(n.Cluster.Enabled));
        // Each node is reached at its service name, and every node knows every other one as a seed.
        Assert.Equal(Daemons.Select(d => $"{d}:4053"), nodes.Select(n => n.Cluster.SelfHostPort));
        Assert.All(nodes, n => Assert.Equal(Daemons.Select(d => $"akka.tcp://autopilotd@{d}:4053"), n.Cluster.SeedNodes));
    }

    [Fact]
    public void Every_autopilot_variable_of_the_compose_file_is_one_the_daemon_reads()
    {
        var reference = File.ReadAllText(RepositoryFiles.PathOf("src", "Autopilot.Daemon", "reference.conf"));
        var variables = Daemons.SelectMany(d => Child(Child(Services, d), "environment").Children.Keys.Select(k => k.ToString())).Distinct().ToArray();

        Assert.NotEmpty(variables);
        Assert.All(variables, v => Assert.Contains($"${{?{v}}}", reference));
    }

    [Fact]
    public void The_dockerfile_publishes_the_daemon_project_and_runs_its_assembly_on_the_port_the_compose_file_maps()
    {
        var dockerfile = File.ReadAllText(RepositoryFiles.PathOf("Dockerfile"));
        var project = DockerPublish().Match(dockerfile).Groups["project"].Value;

        Assert.True(File.Exists(RepositoryFiles.PathOf(project)), $"the Dockerfile publishes {project}, which does not exist");
        Assert.Contains("<AssemblyName>autopilotd</AssemblyName>", File.ReadAllText(RepositoryFiles.PathOf(project)));
        Assert.Contains("""ENTRYPOINT ["dotnet", "autopilotd.dll"]""", dockerfile);
        Assert.Contains("EXPOSE 9110", dockerfile);
        Assert.Contains("AUTOPILOT_HTTP_HOST=0.0.0.0", dockerfile);
    }

    /// <summary>Compose's <c>${VAR:-default}</c> with nothing set: the default.</summary>
    private static string Interpolate(string value) => ComposeVariable().Replace(value, m => m.Groups["default"].Value);

    private static YamlMappingNode LoadCompose()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(RepositoryFiles.PathOf("docker-compose.yml"));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static YamlMappingNode Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child)
            ? Assert.IsType<YamlMappingNode>(child)
            : throw new Xunit.Sdk.XunitException($"'{key}' is missing");

    private static string Text(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            current = ((YamlMappingNode)current)[key];
        }

        return current is YamlSequenceNode sequence ? string.Join(' ', sequence.Children.Select(c => c.ToString())) : current.ToString();
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Z0-9_]+)(:-(?<default>[^}]*))?\}")]
    private static partial Regex ComposeVariable();

    [GeneratedRegex(@"dotnet publish (?<project>\S+\.csproj)")]
    private static partial Regex DockerPublish();
}
