using Microsoft.EntityFrameworkCore;
using Outbox.Bus.Testing;

// Namespace note: these tests live in Outbox/ but deliberately not in a namespace ending in ".Outbox": inside
// Outbox.Bus.EntityFrameworkCore.Tests.*, such a namespace would shadow the root "Outbox" and break any fully qualified
// Outbox.Bus.… name written elsewhere in this test project.
namespace Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;

public enum Provider
{
    Sqlite,
    Postgres
}

/// <summary>A fresh, empty database per test: a temporary SQLite file, or a new database on the local PostgreSQL server.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    readonly PostgresDatabase? _postgres;
    readonly string? _sqliteFile;

    TestDatabase(Provider provider, string connectionString, string? sqliteFile, PostgresDatabase? postgres)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqliteFile = sqliteFile;
        _postgres = postgres;
    }

    public Provider Provider { get; }
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(Provider provider)
    {
        TestDatabase database;
        if (provider == Provider.Sqlite)
        {
            var directory = Path.Combine(Path.GetTempPath(), "outbox-bus-ef-tests");
            Directory.CreateDirectory(directory);
            var file = Path.Combine(directory, $"{Guid.NewGuid():N}.db");

            // No pooling: every test's file is deleted afterwards, and pooled connections would keep it open.
            database = new TestDatabase(provider, $"Data Source={file};Pooling=False", file, null);
        }
        else
        {
            var postgres = await PostgresDatabase.CreateAsync();
            database = new TestDatabase(provider, postgres.ConnectionString, null, postgres);
        }

        // EnsureCreated is fine for tests; applications use migrations.
        await using var dbContext = database.CreateDbContext();
        await dbContext.Database.EnsureCreatedAsync();
        return database;
    }

    public void Configure(DbContextOptionsBuilder options)
    {
        if (Provider == Provider.Sqlite)
            options.UseSqlite(ConnectionString);
        else
            options.UseNpgsql(ConnectionString);
    }

    public TestDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<TestDbContext>();
        Configure(options);
        return new TestDbContext(options.Options);
    }

    public async Task<int> Count<T>(Func<IQueryable<T>, IQueryable<T>>? filter = null)
        where T : class
    {
        await using var dbContext = CreateDbContext();
        var query = dbContext.Set<T>().AsNoTracking();
        return await (filter?.Invoke(query) ?? query).CountAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
            await _postgres.DisposeAsync();

        if (_sqliteFile is not null)
        {
            foreach (var file in new[] { _sqliteFile, _sqliteFile + "-journal", _sqliteFile + "-wal", _sqliteFile + "-shm" })
                File.Delete(file);
        }
    }
}

/// <summary>The application's DbContext in these tests: one table of its own, plus the outbox tables.</summary>
public class TestDbContext(DbContextOptions<TestDbContext> options) : DbContext(options)
{
    public DbSet<Widget> Widgets => Set<Widget>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Widget>().HasKey(w => w.Id);
        modelBuilder.AddInboxStateEntity();
        modelBuilder.AddOutboxMessageEntity();
        modelBuilder.AddOutboxStateEntity();
    }
}

public class Widget
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
}
