using Autopilot.Agents.Migrations;
using Autopilot.Platforms.PostgreSql;
using Xunit;

namespace Autopilot.Agents.Tests.Migrations;

public sealed class MigrationPlanTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static AppliedMigration Applied(MigrationFile file) => new(file.Version, file.FileName, file.Checksum, At, "abc");

    [Theory]
    [InlineData("V1__init.sql", 1)]
    [InlineData("V020__add_orders.sql", 20)]
    public void A_migration_file_name_gives_its_version(string name, long version) =>
        Assert.Equal(version, MigrationFile.Parse(name, "SELECT 1;").Version);

    [Theory]
    [InlineData("v1__init.sql")]
    [InlineData("V1_init.sql")]
    [InlineData("V1__init.txt")]
    [InlineData("Vx__init.sql")]
    public void Other_names_are_not_migrations(string name)
    {
        Assert.False(MigrationFile.IsMigrationName(name));
        Assert.Contains("V<number>__<name>.sql", Assert.Throws<FormatException>(() => MigrationFile.Parse(name, "")).Message);
    }

    [Fact]
    public void The_checksum_is_the_sha256_of_the_contents()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", MigrationFile.Parse("V1__a.sql", "").Checksum);
        Assert.NotEqual(MigrationFile.Parse("V1__a.sql", "SELECT 1;").Checksum, MigrationFile.Parse("V1__a.sql", "SELECT 2;").Checksum);
    }

    [Theory]
    [InlineData("DROP TABLE orders", true)]
    [InlineData("drop index if exists ix", true)]
    [InlineData("TRUNCATE orders", true)]
    [InlineData("ALTER TABLE orders DROP COLUMN note", true)]
    [InlineData("DELETE FROM orders", true)]
    [InlineData("DELETE FROM orders -- WHERE id = 1", true)]
    [InlineData("DELETE FROM orders WHERE id = 1", false)]
    [InlineData("CREATE TABLE drops (x int)", false)]
    [InlineData("INSERT INTO log VALUES ('DROP TABLE x')", false)]
    [InlineData("ALTER TABLE orders ADD COLUMN note text", false)]
    public void Destructive_statements_are_recognised(string statement, bool destructive) =>
        Assert.Equal(destructive, MigrationFile.IsDestructive(statement));

    [Fact]
    public void Pending_files_are_those_not_applied_in_version_order_with_their_destructive_statements()
    {
        var v1 = MigrationFile.Parse("V1__init.sql", "CREATE TABLE t (x int);");
        var v2 = MigrationFile.Parse("V2__clean.sql", "DELETE FROM t; INSERT INTO t VALUES (1);");
        var v10 = MigrationFile.Parse("V10__more.sql", "ALTER TABLE t ADD y int;");

        var plan = MigrationPlan.Of([v10, v2, v1], [Applied(v1)]);

        Assert.Null(plan.Refusal);
        Assert.Equal(["V2__clean.sql", "V10__more.sql"], plan.Pending.Select(f => f.FileName));
        Assert.Equal(["V2__clean.sql: DELETE FROM t"], plan.Destructive);
    }

    [Fact]
    public void A_changed_applied_file_is_refused_and_nothing_is_pending()
    {
        var applied = MigrationFile.Parse("V1__init.sql", "CREATE TABLE t (x int);");
        var changed = MigrationFile.Parse("V1__init.sql", "CREATE TABLE t (x bigint);");
        var next = MigrationFile.Parse("V2__next.sql", "SELECT 1;");

        var plan = MigrationPlan.Of([changed, next], [Applied(applied)]);

        Assert.Empty(plan.Pending);
        Assert.Contains("V1__init.sql was changed after it was applied", plan.Refusal);
    }

    [Fact]
    public void A_file_older_than_an_applied_one_or_a_duplicate_version_is_refused()
    {
        var v1 = MigrationFile.Parse("V1__a.sql", "SELECT 1;");
        var v2 = MigrationFile.Parse("V2__b.sql", "SELECT 2;");
        Assert.Contains("older than V2", MigrationPlan.Of([v1, v2], [Applied(v2)]).Refusal);
        Assert.Contains("more than one file", MigrationPlan.Of([v1, MigrationFile.Parse("V1__c.sql", "")], []).Refusal);
    }
}
