using Autopilot.Actors.Configuration;
using Xunit;

namespace Autopilot.Actors.Tests.Configuration;

public sealed class HoconIncludeTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Included_file_is_merged_at_the_include_point_and_later_keys_override_it()
    {
        _directory.Write("defaults.conf", "timeout = 5s\nretries = 3\nname = base");
        var main = _directory.Write("app.conf", "name = before\ninclude \"defaults.conf\"\nretries = 7");

        var config = ConfigurationFactory.ParseFile(main, HoconText.Options());

        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("timeout"));
        Assert.Equal(7, config.GetInt("retries"));
        Assert.Equal("base", config.GetString("name"));
    }

    [Fact]
    public void Includes_are_relative_to_the_including_file_not_the_working_directory()
    {
        _directory.Write("conf/app.conf", "include file(\"sub/db.conf\")\napp = main");
        _directory.Write("conf/sub/db.conf", "include \"pool.conf\"\ndb.host = localhost");
        _directory.Write("conf/sub/pool.conf", "db.pool = 10");

        var config = ConfigurationFactory.ParseFile(Path.Combine(_directory.Path, "conf", "app.conf"), HoconText.Options());

        Assert.Equal("localhost", config.GetString("db.host"));
        Assert.Equal(10, config.GetInt("db.pool"));
        Assert.Equal("main", config.GetString("app"));
    }

    [Fact]
    public void Include_inside_an_object_nests_the_file_and_its_substitutions()
    {
        _directory.Write("db.conf", "port = 5432\nurl = \"pg://host:\"${port}");
        var main = _directory.Write("app.conf", "database {\n  include \"db.conf\"\n  user = ops\n}");

        var config = ConfigurationFactory.ParseFile(main, HoconText.Options());

        Assert.Equal("pg://host:5432", config.GetString("database.url"));
        Assert.Equal("ops", config.GetString("database.user"));
        Assert.False(config.HasPath("port"));
    }

    [Fact]
    public void Required_file_include_syntax_is_accepted()
    {
        _directory.Write("x.conf", "x = 1");
        var main = _directory.Write("app.conf", "include required( file(\"x.conf\") )\ny = ${x}");

        var config = ConfigurationFactory.ParseFile(main, HoconText.Options());

        Assert.Equal(1, config.GetInt("y"));
    }

    [Fact]
    public void A_missing_include_is_an_error_naming_the_file_and_the_include_position()
    {
        var main = _directory.Write("app.conf", "a = 1\ninclude \"nowhere.conf\"");

        var error = Assert.Throws<HoconParseException>(() => ConfigurationFactory.ParseFile(main, HoconText.Options()));

        Assert.Equal(main, error.File);
        Assert.Equal(2, error.Line);
        Assert.Equal(9, error.Column);
        Assert.Contains("included file 'nowhere.conf' not found", error.Message);
        Assert.Contains(Path.Combine(_directory.Path, "nowhere.conf"), error.Message);
    }

    [Fact]
    public void Syntax_errors_in_an_included_file_point_into_that_file()
    {
        var broken = _directory.Write("broken.conf", "ok = 1\nbad {\n  x = 1\n");
        var main = _directory.Write("app.conf", "include \"broken.conf\"");

        var error = Assert.Throws<HoconParseException>(() => ConfigurationFactory.ParseFile(main, HoconText.Options()));

        Assert.Equal(broken, error.File);
        Assert.Equal(4, error.Line);
        Assert.StartsWith($"{broken}:4:1: expected '}}' to close the object opened at line 2, column 5", error.Message);
    }

    [Fact]
    public void Include_cycles_are_rejected()
    {
        _directory.Write("a.conf", "include \"b.conf\"");
        _directory.Write("b.conf", "include \"a.conf\"");

        var error = Assert.Throws<HoconParseException>(() =>
            ConfigurationFactory.ParseFile(Path.Combine(_directory.Path, "a.conf"), HoconText.Options()));

        Assert.Contains("include cycle", error.Message);
    }

    [Fact]
    public void Parsed_strings_with_a_file_origin_include_relative_to_that_file()
    {
        _directory.Write("extra.conf", "extra = yes");
        var origin = Path.Combine(_directory.Path, "virtual.conf");

        var config = ConfigurationFactory.ParseString("include \"extra.conf\"", origin, HoconText.Options());

        Assert.True(config.GetBoolean("extra"));
    }

    [Fact]
    public void A_key_named_include_is_still_a_key()
    {
        var config = HoconText.Parse("include = 5\nother { include: true }");

        Assert.Equal(5, config.GetInt("include"));
        Assert.True(config.GetBoolean("other.include"));
    }

    [Fact]
    public void Parse_file_reports_a_missing_file()
    {
        var path = Path.Combine(_directory.Path, "absent.conf");

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFactory.ParseFile(path));

        Assert.Contains(path, error.Message);
    }
}
