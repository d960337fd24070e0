using Autopilot.Actors.Configuration;
using Xunit;

namespace Autopilot.Actors.Tests.Configuration;

public class HoconParseErrorTests
{
    [Fact]
    public void Unclosed_object_reports_end_of_file_and_where_it_opened()
    {
        var error = HoconText.ParseError("a {\n  b = 1\n", origin: "autopilot.conf");

        Assert.Equal("autopilot.conf", error.File);
        Assert.Equal(3, error.Line);
        Assert.Equal(1, error.Column);
        Assert.Equal("autopilot.conf:3:1: expected '}' to close the object opened at line 1, column 3, found end of file", error.Message);
    }

    [Fact]
    public void Missing_value_after_separator()
    {
        var error = HoconText.ParseError("ok = 1\nbroken = \nnext = 2");

        Assert.Equal("test.conf:2:10: expected a value, found end of line", error.Message);
    }

    [Fact]
    public void Colon_inside_an_unquoted_value_asks_for_quotes()
    {
        var error = HoconText.ParseError("url = http://example.com");

        Assert.Equal(1, error.Line);
        Assert.Equal(11, error.Column);
        Assert.Contains("put strings containing ':' or '=' in double quotes", error.Message);
    }

    [Fact]
    public void Unterminated_quoted_string()
    {
        var error = HoconText.ParseError("a = \"open\nb = 1");

        Assert.Equal("test.conf:1:5: unterminated quoted string (a quoted string must end on the line it starts; use \"\"\" for multi-line text)", error.Message);
    }

    [Fact]
    public void Reserved_characters_must_be_quoted()
    {
        var error = HoconText.ParseError("pattern = /user/*");

        Assert.Equal("test.conf:1:17: reserved character '*' is not allowed in unquoted text; put the value in double quotes", error.Message);
    }

    [Fact]
    public void Key_without_separator()
    {
        var error = HoconText.ParseError("a = 1\nlonely\n");

        Assert.Equal("test.conf:2:7: expected '=', ':', '+=' or '{' after the key, found end of line", error.Message);
    }

    [Fact]
    public void Stray_closing_brace_at_root()
    {
        var error = HoconText.ParseError("a = 1\n}");

        Assert.Equal("test.conf:2:1: unexpected '}' with no open object", error.Message);
    }

    [Fact]
    public void Two_values_on_one_line_need_a_separator()
    {
        var error = HoconText.ParseError("a = [1, 2] b = 3");

        Assert.Equal("test.conf:1:14: unexpected '=' in a value; put strings containing ':' or '=' in double quotes", error.Message);
    }

    [Fact]
    public void Double_comma_in_array_is_a_missing_value()
    {
        var error = HoconText.ParseError("a = [1,,2]");

        Assert.Equal("test.conf:1:8: expected a value, found ','", error.Message);
    }

    [Fact]
    public void Unclosed_array()
    {
        var error = HoconText.ParseError("a = [1, 2\n");

        Assert.Equal("test.conf:2:1: expected ']' to close the array opened at line 1, column 5, found end of file", error.Message);
    }

    [Fact]
    public void Invalid_escape_and_unterminated_substitution()
    {
        Assert.Equal("test.conf:1:7: invalid escape sequence '\\q' in quoted string", HoconText.ParseError("a = \"x\\q\"").Message);
        Assert.Equal("test.conf:1:5: unterminated substitution; expected '}'", HoconText.ParseError("a = ${b\nc = 1").Message);
    }

    [Fact]
    public void Array_as_document_root_is_rejected()
    {
        var error = HoconText.ParseError("[1, 2]");

        Assert.Equal("test.conf:1:1: a configuration document must be an object, not an array", error.Message);
    }

    [Fact]
    public void Empty_key_segment()
    {
        var error = HoconText.ParseError("a..b = 1");

        Assert.Equal("test.conf:1:1: empty key segment (a key may not start with '.' or contain '..')", error.Message);
    }

    [Fact]
    public void Parse_errors_are_configuration_exceptions()
    {
        var error = HoconText.ParseError("a = {");

        Assert.IsAssignableFrom<ConfigurationException>(error);
        Assert.Equal("expected '}' to close the object opened at line 1, column 5, found end of file", error.Problem);
    }
}
