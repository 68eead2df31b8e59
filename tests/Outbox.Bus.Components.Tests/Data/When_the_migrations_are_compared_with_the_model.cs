using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Outbox.Bus.Components.Data;

namespace Outbox.Bus.Components.Tests.Data;

/// <summary>
/// Each provider's migrations must describe exactly the current model. SQL Server cannot run here, so this is what keeps
/// its migrations honest: EF compares the model with the migrations' snapshot without connecting.
/// </summary>
public sealed class When_the_migrations_are_compared_with_the_model
{
    public static TheoryData<string> Providers => ["Sqlite", "Postgres", "SqlServer"];

    [Theory]
    [MemberData(nameof(Providers))]
    public void Should_have_no_pending_model_changes(string provider)
    {
        using var db = Create(provider);

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {provider} migrations do not match the model: add a migration for {provider} (see README, Layout).");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Should_keep_each_providers_migrations_apart(string provider)
    {
        using var db = Create(provider);

        Assert.All(db.Database.GetMigrations(), id => Assert.Matches(@"^\d{14}_\w+$", id));
        var assembly = typeof(OutboxBusDbContext).Assembly;
        var namespaces = assembly.GetTypes()
            .Where(t => t.Namespace?.Contains(".Migrations.", StringComparison.Ordinal) == true)
            .Where(t => t.GetCustomAttributes(typeof(DbContextAttribute), false).Cast<DbContextAttribute>()
                .Any(a => a.ContextType == db.GetType()))
            .Select(t => t.Namespace)
            .Distinct();
        Assert.Equal([$"Outbox.Bus.Components.Data.Migrations.{provider}"], namespaces);
    }

    static OutboxBusDbContext Create(string provider) => provider switch
    {
        "Sqlite" => new SqliteOutboxBusDbContext(
            new DbContextOptionsBuilder<SqliteOutboxBusDbContext>().UseSqlite("Data Source=:memory:").Options),
        "Postgres" => new PostgresOutboxBusDbContext(
            new DbContextOptionsBuilder<PostgresOutboxBusDbContext>().UseNpgsql("Host=127.0.0.1;Database=unused").Options),
        "SqlServer" => new SqlServerOutboxBusDbContext(
            new DbContextOptionsBuilder<SqlServerOutboxBusDbContext>().UseSqlServer("Server=127.0.0.1;Database=unused").Options),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}
