using Npgsql;

namespace Outbox.Bus.Components.Tests.Data;

public sealed class When_a_postgresql_connection_string_is_configured
{
    [Fact]
    public void Should_skip_the_reset_on_return_and_auto_prepare_by_default()
    {
        var result = new NpgsqlConnectionStringBuilder(
            OutboxBusComponents.WithPostgresDefaults("Host=db;Database=outbox;Username=outbox;Password=secret"));

        Assert.True(result.NoResetOnClose);
        Assert.Equal(64, result.MaxAutoPrepare);
        Assert.Equal("db", result.Host);
        Assert.Equal("secret", result.Password);
    }

    [Theory]
    [InlineData("Host=db;No Reset On Close=false;Max Auto Prepare=0")]
    [InlineData("Host=db;NoResetOnClose=false;MaxAutoPrepare=0")]
    public void Should_keep_what_the_operator_set(string connectionString)
    {
        var result = new NpgsqlConnectionStringBuilder(OutboxBusComponents.WithPostgresDefaults(connectionString));

        Assert.False(result.NoResetOnClose);
        Assert.Equal(0, result.MaxAutoPrepare);
    }
}
