using System.Net;
using System.Text.RegularExpressions;
using Autopilot.Daemon.Cluster;
using Autopilot.Daemon.Metrics;
using Autopilot.Daemon.SelfWatch;
using Autopilot.Daemon.Tests.Deployment;
using Autopilot.Daemon.Tests.Fixtures;
using YamlDotNet.RepresentationModel;

namespace Autopilot.Daemon.Tests.SelfWatch;

/// <summary>
/// docs/prometheus-alerts.yml is a valid rules file whose every expression names only metrics the daemon really exposes
/// on /metrics (a renamed series would otherwise silence an alert without anyone noticing).
/// </summary>
public sealed partial class PrometheusRulesTests
{
    private static readonly HashSet<string> PromQlWords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
    };

    [Fact]
    public void Every_rule_has_a_name_an_expression_a_severity_and_valid_durations()
    {
        var rules = Rules();

        Assert.True(rules.Count >= 10, $"only {rules.Count} rules");
        Assert.Equal(rules.Count, rules.Select(r => r.Alert).Distinct(StringComparer.Ordinal).Count());
        Assert.All(rules, rule =>
        {
            Assert.False(string.IsNullOrWhiteSpace(rule.Expr), rule.Alert);
            Assert.Contains(rule.Severity, new[] { "critical", "warning" });
            Assert.True(rule.For is null || DurationPattern().IsMatch(rule.For), $"{rule.Alert}: for {rule.For}");
            Assert.NotEmpty(MetricNames(rule.Expr));
        });
    }

    [Fact]
    public async Task Every_metric_the_rules_name_is_on_the_daemons_metrics_endpoint()
    {
        await using var daemon = await TestDaemon.StartAsync(extraHocon: "autopilot.self-watch.enabled = on");
        // Traffic of every kind the rules judge: a webhook, an admin API request, a platform call measured the way the
        // platform clients measure theirs, and a lease check as a clustered member reports it.
        (await daemon.Client.PostAsync("/webhooks/github", new StringContent("{}"))).Dispose();
        (await daemon.SendAsync(HttpMethod.Get, "/api/status", TestDaemon.ViewerToken)).Dispose();
        using (var platform = new HttpClient(new MeasuredPlatformHandler("railway", daemon.Runtime.Metrics, new Answering(HttpStatusCode.BadGateway)))
               {
                   BaseAddress = new Uri("http://railway.invalid"),
               })
        {
            (await platform.GetAsync("/graphql")).Dispose();
        }

        SelfWatchChecks.Lease(new ConditionWatch(TimeSpan.Zero), () => new ClusterPlace("leader", "akka.tcp://autopilotd@127.0.0.1:4053", true), _ => true,
            daemon.Runtime.Metrics).Probe();

        var exposed = await daemon.Client.GetStringAsync("/metrics");
        var series = exposed.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => SeriesName().Match(line).Value)
            .ToHashSet(StringComparer.Ordinal);

        var missing = Rules()
            .SelectMany(rule => MetricNames(rule.Expr).Select(name => (rule.Alert, name)))
            .Where(used => !series.Contains(used.name))
            .Select(used => $"{used.Alert}: {used.name}")
            .ToArray();
        Assert.Empty(missing);
    }

    [Fact]
    public void The_metric_names_of_an_expression_leave_out_functions_labels_and_keywords()
    {
        Assert.Equal(
            ["http_request_duration_seconds_bucket"],
            MetricNames("""histogram_quantile(0.95, sum by (instance, le) (rate(http_request_duration_seconds_bucket{endpoint=~"/webhooks/.*"}[5m]))) > 0.5"""));
        Assert.Equal(["process_cpu_seconds_total", "autopilot_cpu_cores"], MetricNames("rate(process_cpu_seconds_total[5m]) / autopilot_cpu_cores > 0.9"));
    }

    private static IReadOnlyList<string> MetricNames(string expr)
    {
        var text = QuotedString().Replace(expr, "\"\"");
        text = LabelMatchers().Replace(text, "");
        text = Grouping().Replace(text, "");
        text = RangeSelector().Replace(text, "");
        return Identifier().Matches(text)
            .Where(m => !IsFunctionCall(text, m) && !PromQlWords.Contains(m.Value))
            .Select(m => m.Value)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    private static bool IsFunctionCall(string text, Match identifier)
    {
        var next = identifier.Index + identifier.Length;
        while (next < text.Length && char.IsWhiteSpace(text[next]))
        {
            next++;
        }

        return next < text.Length && text[next] == '(';
    }

    private static List<Rule> Rules()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(RepositoryFiles.PathOf("docs", "prometheus-alerts.yml")))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents.Single().RootNode;
        var rules = new List<Rule>();
        foreach (var group in (YamlSequenceNode)root["groups"])
        {
            foreach (var node in (YamlSequenceNode)((YamlMappingNode)group)["rules"])
            {
                var rule = (YamlMappingNode)node;
                string? Scalar(YamlMappingNode map, string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;
                var labels = rule.Children.TryGetValue(new YamlScalarNode("labels"), out var l) ? (YamlMappingNode)l : new YamlMappingNode();
                rules.Add(new Rule(Scalar(rule, "alert")!, Scalar(rule, "expr")!, Scalar(rule, "for"), Scalar(labels, "severity")));
            }
        }

        return rules;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeSelector();

    [GeneratedRegex(@"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SeriesName();

    [GeneratedRegex(@"^([0-9]+(ms|s|m|h|d|w|y))+$")]
    private static partial Regex DurationPattern();

    private sealed record Rule(string Alert, string Expr, string? For, string? Severity);

    private sealed class Answering(HttpStatusCode status) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status));
    }
}
