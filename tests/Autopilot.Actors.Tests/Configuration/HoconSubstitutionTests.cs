using Autopilot.Actors.Configuration;
using Xunit;

namespace Autopilot.Actors.Tests.Configuration;

public class HoconSubstitutionTests
{
    [Fact]
    public void Substitutions_may_refer_forward_and_into_nested_objects()
    {
        var config = HoconText.Parse("""
            client.timeout = ${defaults.timeout}
            client.copy = ${defaults}
            defaults { timeout = 5s, retries = 3 }
            """);

        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("client.timeout"));
        Assert.Equal(3, config.GetInt("client.copy.retries"));
    }

    [Fact]
    public void Substitutions_see_the_final_merged_value()
    {
        var config = HoconText.Parse("a = 1\nb = ${a}\na = 2");

        Assert.Equal(2, config.GetInt("b"));
    }

    [Fact]
    public void Self_referential_substitution_extends_the_previous_value()
    {
        var config = HoconText.Parse("""
            path = "/bin"
            path = ${path}":/usr/bin"
            path = ${path}":/opt/bin"
            """);

        Assert.Equal("/bin:/usr/bin:/opt/bin", config.GetString("path"));
    }

    [Fact]
    public void Optional_self_reference_without_previous_value_is_dropped_from_the_concatenation()
    {
        var config = HoconText.Parse("path = ${?path}\"/x\"\nlist = ${?list} [1]");

        Assert.Equal("/x", config.GetString("path"));
        Assert.Equal(["1"], config.GetStringList("list"));
    }

    [Fact]
    public void Self_reference_inside_a_nested_object_sees_the_earlier_field()
    {
        var config = HoconText.Parse("app { opts = \"-a\" }\napp { opts = ${app.opts}\" -b\" }");

        Assert.Equal("-a -b", config.GetString("app.opts"));
    }

    [Fact]
    public void Missing_keys_fall_back_to_injected_environment_variables()
    {
        var environment = new Dictionary<string, string> { ["HOME"] = "/home/ops", ["DB_URL"] = "postgres://db" };

        var config = HoconText.Parse("""
            home = ${?HOME}
            db.url = "jdbc:"${DB_URL}
            optional = ${?NOT_SET}
            """, environment);

        Assert.Equal("/home/ops", config.GetString("home"));
        Assert.Equal("jdbc:postgres://db", config.GetString("db.url"));
        Assert.False(config.HasPath("optional"));
    }

    [Fact]
    public void A_key_in_the_configuration_wins_over_the_environment()
    {
        var environment = new Dictionary<string, string> { ["HOME"] = "/from/env" };

        var config = HoconText.Parse("HOME = /from/config\nhome = ${HOME}", environment);

        Assert.Equal("/from/config", config.GetString("home"));
    }

    [Fact]
    public void An_undefined_optional_substitution_keeps_the_earlier_value()
    {
        var environment = new Dictionary<string, string> { ["PORT_OVERRIDE"] = "9090" };

        var config = HoconText.Parse("""
            port = 8080
            port = ${?PORT_UNSET}
            other = 1
            other = ${?PORT_OVERRIDE}
            """, environment);

        Assert.Equal(8080, config.GetInt("port"));
        Assert.Equal(9090, config.GetInt("other"));
    }

    [Fact]
    public void A_required_substitution_that_cannot_be_resolved_reports_where_it_was_written()
    {
        var error = HoconText.ParseError("a = 1\nb = \"x\" ${NOT_DEFINED_ANYWHERE}");

        Assert.Equal(2, error.Line);
        Assert.Equal(9, error.Column);
        Assert.StartsWith("test.conf:2:9: could not resolve substitution ${NOT_DEFINED_ANYWHERE}", error.Message);
    }

    [Fact]
    public void A_substitution_cycle_is_reported()
    {
        var error = HoconText.ParseError("a = ${b}\nb = ${c}\nc = ${a}");

        Assert.Contains("substitution cycle", error.Message);
        Assert.Contains("${a}", error.Message);
    }

    [Fact]
    public void Concatenating_an_object_with_a_string_is_an_error_at_the_offending_value()
    {
        var error = HoconText.ParseError("obj { x = 1 }\nbad = ${obj} \"text\"");

        Assert.Equal("test.conf:2:14: cannot concatenate an object with a string; only strings, objects with objects, or arrays with arrays can be joined", error.Message);
    }

    [Fact]
    public void Overriding_a_field_of_a_copied_object_leaves_the_original_untouched()
    {
        var config = HoconText.Parse("""
            defaults { timeout = 5s, retries = 3 }
            svc = ${defaults}
            svc.timeout = 10s
            """);

        Assert.Equal(TimeSpan.FromSeconds(10), config.GetTimeSpan("svc.timeout"));
        Assert.Equal(3, config.GetInt("svc.retries"));
        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("defaults.timeout"));
    }

    [Fact]
    public void Substituting_an_object_into_an_existing_object_merges_them()
    {
        var config = HoconText.Parse("""
            extra { b = 2 }
            target { a = 1 }
            target = ${extra}
            """);

        Assert.Equal(1, config.GetInt("target.a"));
        Assert.Equal(2, config.GetInt("target.b"));
    }

    [Fact]
    public void Substitutions_inside_arrays_resolve()
    {
        var config = HoconText.Parse("host = db\nhosts = [${host}, \"${host}\", ${host}-replica]");

        Assert.Equal(["db", "${host}", "db-replica"], config.GetStringList("hosts"));
    }

    [Fact]
    public void A_substitution_into_the_field_being_defined_uses_its_previous_value()
    {
        var config = HoconText.Parse("foo : { a : { c : 1 } }\nfoo : ${foo.a}\nfoo : { a : 2 }");

        Assert.Equal(2, config.GetInt("foo.a"));
        Assert.Equal(1, config.GetInt("foo.c"));
    }

    [Fact]
    public void Fields_may_refer_to_siblings_in_the_same_object_and_see_later_overrides()
    {
        var config = HoconText.Parse("bar : { foo : 42, baz : ${bar.foo} }\nbar : { foo : 43 }");

        Assert.Equal(43, config.GetInt("bar.baz"));
    }

    [Fact]
    public void Fields_of_an_object_merged_onto_a_substitution_may_refer_to_each_other()
    {
        var config = HoconText.Parse("template { q = 1 }\nsvc = ${template}\nsvc { y = 2, z = ${svc.y}, w = ${svc.q} }");

        Assert.Equal(2, config.GetInt("svc.z"));
        Assert.Equal(1, config.GetInt("svc.w"));
    }
}
