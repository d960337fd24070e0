using Autopilot.Platforms.Tests.Support;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Secrets;
using Autopilot.Simulator.Hosting;
using Xunit;

namespace Autopilot.Platforms.Tests.Secrets;

public sealed class SecretStoreTests : IDisposable
{
    private readonly ObservableFakeTimeProvider _clock = new();
    private readonly Redactor _redactor = new();
    private readonly Dictionary<string, string> _environment = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("autopilot-secrets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private EnvironmentSecretProvider Environment() => new("AUTOPILOT_", name => _environment.GetValueOrDefault(name));

    private SecretStore Store(params ISecretProvider[] providers) => new(providers, _redactor, new SecretStoreOptions(TimeSpan.FromMinutes(5)), _clock);

    [Fact]
    public async Task Environment_names_are_prefixed_upper_case_with_underscores()
    {
        _environment["AUTOPILOT_N8N_API_KEY"] = "n8n-key-from-env";

        Assert.Equal("n8n-key-from-env", await Store(Environment()).GetAsync("n8n-api-key"));
    }

    [Fact]
    public async Task Files_are_read_by_name_and_trimmed_and_blank_files_count_as_absent()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "telegram-token"), "  123:abc-from-file \n");
        await File.WriteAllTextAsync(Path.Combine(_directory, "blank"), " \n");
        var store = Store(new FileSecretProvider(_directory));

        Assert.Equal("123:abc-from-file", await store.GetAsync("telegram-token"));
        Assert.Null(await store.TryGetAsync("blank"));
        Assert.Null(await Store(new FileSecretProvider(Path.Combine(_directory, "missing-dir"))).TryGetAsync("telegram-token"));
    }

    [Fact]
    public async Task The_first_provider_that_has_the_secret_wins()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "db-password"), "from-file");
        await File.WriteAllTextAsync(Path.Combine(_directory, "only-in-file"), "file-only-value");
        _environment["AUTOPILOT_DB_PASSWORD"] = "from-env";
        var store = Store(Environment(), new FileSecretProvider(_directory));

        Assert.Equal("from-env", await store.GetAsync("db-password"));
        Assert.Equal("file-only-value", await store.GetAsync("only-in-file"));
    }

    [Fact]
    public async Task A_missing_secret_names_itself_and_where_it_was_looked_for()
    {
        _environment["AUTOPILOT_OTHER"] = "unrelated-value";
        var store = Store(Environment(), new FileSecretProvider(_directory));

        var error = await Assert.ThrowsAsync<SecretNotFoundException>(() => store.GetAsync("railway-token"));

        Assert.Equal("railway-token", error.SecretName);
        Assert.Contains("'railway-token'", error.Message);
        Assert.Contains("environment variables (AUTOPILOT_*)", error.Message);
        Assert.Contains(_directory, error.Message);
        Assert.DoesNotContain("unrelated-value", error.Message);
    }

    [Fact]
    public async Task Names_that_could_escape_the_directory_are_rejected()
    {
        var store = Store(new FileSecretProvider(_directory));

        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync("../etc/passwd"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(""));
    }

    [Fact]
    public async Task Values_are_cached_for_the_ttl_then_reread()
    {
        _environment["AUTOPILOT_KEY"] = "first-value";
        var store = Store(Environment());
        Assert.Equal("first-value", await store.GetAsync("key"));

        _environment["AUTOPILOT_KEY"] = "rotated-value";
        _clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal("first-value", await store.GetAsync("key"));

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("rotated-value", await store.GetAsync("key"));
    }

    [Fact]
    public async Task Clear_makes_the_next_read_see_a_rotated_value_at_once()
    {
        _environment["AUTOPILOT_KEY"] = "first-value";
        var store = Store(Environment());
        await store.GetAsync("key");
        _environment["AUTOPILOT_KEY"] = "rotated-value";

        store.Clear();

        Assert.Equal("rotated-value", await store.GetAsync("key"));
    }

    [Fact]
    public async Task Absence_is_not_cached()
    {
        var store = Store(Environment());
        Assert.Null(await store.TryGetAsync("late"));

        _environment["AUTOPILOT_LATE"] = "created-later";

        Assert.Equal("created-later", await store.GetAsync("late"));
    }

    [Fact]
    public async Task Every_resolved_value_is_scrubbed_by_the_redactor()
    {
        _environment["AUTOPILOT_WEBHOOK_SECRET"] = "s3cr3t-webhook-value";

        await Store(Environment()).GetAsync("webhook-secret");

        Assert.Equal("payload [REDACTED] end", _redactor.Redact("payload s3cr3t-webhook-value end"));
    }
}
