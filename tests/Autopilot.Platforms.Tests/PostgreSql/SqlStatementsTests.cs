using Autopilot.Platforms.PostgreSql;
using Xunit;

namespace Autopilot.Platforms.Tests.PostgreSql;

public sealed class SqlStatementsTests
{
    [Fact]
    public void Semicolons_inside_strings_identifiers_comments_and_function_bodies_do_not_end_a_statement()
    {
        const string sql = """
            -- a comment; with a semicolon
            INSERT INTO notes VALUES ('a;b', 'it''s; fine', E'back\'slash;');
            CREATE TABLE "odd;name" (x int); /* block; /* nested; */ still; */
            CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
            SELECT $$x;y$$
            """;

        var statements = SqlStatements.Split(sql);

        Assert.Equal(4, statements.Count);
        Assert.EndsWith(@"E'back\'slash;')", statements[0]);
        Assert.Equal("CREATE TABLE \"odd;name\" (x int)", statements[1]);
        Assert.EndsWith("$body$ SELECT 1; $body$ LANGUAGE sql", statements[2]);
        Assert.Equal("SELECT $$x;y$$", statements[3]);
    }

    [Fact]
    public void Empty_statements_and_comment_only_tails_are_dropped()
    {
        Assert.Equal(["SELECT 1"], SqlStatements.Split(";; SELECT 1; -- done\n"));
        Assert.Equal("DELETE FROM t WHERE x = '--'", SqlStatements.WithoutComments("DELETE /* c */ FROM t -- all\n WHERE x = '--'"));
    }
}
