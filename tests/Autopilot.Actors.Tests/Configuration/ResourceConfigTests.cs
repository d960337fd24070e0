using System.Reflection;
using System.Text;
using Autopilot.Actors.Configuration;
using Xunit;

namespace Autopilot.Actors.Tests.Configuration;

public class ResourceConfigTests
{
    private static readonly ResourceAssembly Library = new(new Dictionary<string, string>
    {
        ["Fake.Library.reference.conf"] = "library { timeout = 2s, include \"pool.conf\" }",
        ["Fake.Library.pool.conf"] = "pool-size = 4",
        ["Other.Namespace.pool.conf"] = "pool-size = 99",
    });

    [Fact]
    public void Reference_conf_loads_from_an_embedded_resource_with_sibling_includes()
    {
        var config = ConfigurationFactory.FromResource(Library, "Fake.Library.reference.conf", HoconText.Options());

        Assert.Equal(TimeSpan.FromSeconds(2), config.GetTimeSpan("library.timeout"));
        Assert.Equal(4, config.GetInt("library.pool-size"));
    }

    [Fact]
    public void Origins_of_resource_values_name_the_assembly_and_resource()
    {
        var config = ConfigurationFactory.FromResource(Library, "Fake.Library.reference.conf", HoconText.Options());

        Assert.Equal("Fake.Library/Fake.Library.reference.conf:1", config.GetValue("library.timeout").Origin.ToString());
    }

    [Fact]
    public void Missing_resource_is_a_configuration_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFactory.FromResource(Library, "nope.conf"));

        Assert.Contains("nope.conf", error.Message);
    }

    /// <summary>An assembly whose manifest resources are given in memory, so no embedding is needed in the test project.</summary>
    private sealed class ResourceAssembly(Dictionary<string, string> resources) : Assembly
    {
        public override AssemblyName GetName(bool copiedName) => new("Fake.Library");

        public override string[] GetManifestResourceNames() => resources.Keys.ToArray();

        public override Stream? GetManifestResourceStream(string name) =>
            resources.TryGetValue(name, out var text) ? new MemoryStream(Encoding.UTF8.GetBytes(text)) : null;
    }
}
