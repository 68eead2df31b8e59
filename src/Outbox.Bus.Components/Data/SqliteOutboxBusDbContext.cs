using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Outbox.Bus.Components.Data;

/// <summary>The embedded default's database. Its migrations are under <c>Data/Migrations/Sqlite</c>.</summary>
public sealed class SqliteOutboxBusDbContext(DbContextOptions<SqliteOutboxBusDbContext> options) : OutboxBusDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add … --context SqliteOutboxBusDbContext</c> build the model without a host.</summary>
public sealed class SqliteOutboxBusDbContextFactory : IDesignTimeDbContextFactory<SqliteOutboxBusDbContext>
{
    public SqliteOutboxBusDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteOutboxBusDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
