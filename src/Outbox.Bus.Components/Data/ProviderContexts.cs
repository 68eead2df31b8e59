using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Outbox.Bus.Components.Data;

// One derived context per provider, only so that each provider's migrations live in their own folder
// (Data/Migrations/<Provider>) and are generated from the same model.

public sealed class PostgresOutboxBusDbContext(DbContextOptions<PostgresOutboxBusDbContext> options) : OutboxBusDbContext(options);

public sealed class SqlServerOutboxBusDbContext(DbContextOptions<SqlServerOutboxBusDbContext> options) : OutboxBusDbContext(options);

public sealed class PostgresOutboxBusDbContextFactory : IDesignTimeDbContextFactory<PostgresOutboxBusDbContext>
{
    public PostgresOutboxBusDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresOutboxBusDbContext>().UseNpgsql("Host=localhost;Database=outbox_design").Options);
}

public sealed class SqlServerOutboxBusDbContextFactory : IDesignTimeDbContextFactory<SqlServerOutboxBusDbContext>
{
    public SqlServerOutboxBusDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerOutboxBusDbContext>().UseSqlServer("Server=localhost;Database=outbox_design").Options);
}
