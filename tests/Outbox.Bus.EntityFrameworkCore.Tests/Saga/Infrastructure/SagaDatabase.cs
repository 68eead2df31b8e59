using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Outbox.Bus.Testing;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>A fresh, empty database with the saga table, for one test; deleted on dispose.</summary>
public abstract class SagaDatabase : IAsyncDisposable
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    public abstract void Configure(DbContextOptionsBuilder options);

    public SagaTestDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<SagaTestDbContext>();
        Configure(options);
        return new SagaTestDbContext(options.Options);
    }

    public static async Task<SagaDatabase> CreateAsync(DatabaseProvider provider)
    {
        SagaDatabase database = provider switch
        {
            DatabaseProvider.Sqlite => new SqliteSagaDatabase(),
            DatabaseProvider.PostgreSql => new PostgresSagaDatabase(await PostgresDatabase.CreateAsync()),
            _ => throw new ArgumentOutOfRangeException(nameof(provider)),
        };

        // EnsureCreated is for tests only; applications migrate.
        await using var dbContext = database.CreateDbContext();
        await dbContext.Database.EnsureCreatedAsync();
        return database;
    }

    public abstract ValueTask DisposeAsync();

    sealed class SqliteSagaDatabase : SagaDatabase
    {
        readonly string _path = Path.Combine(Path.GetTempPath(), $"outbox-saga-{Guid.NewGuid():n}.db");
        readonly string _connectionString;

        public SqliteSagaDatabase()
        {
            _connectionString = new SqliteConnectionStringBuilder { DataSource = _path }.ConnectionString;
        }

        public override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(_connectionString);

        public override ValueTask DisposeAsync()
        {
            using (var connection = new SqliteConnection(_connectionString))
                SqliteConnection.ClearPool(connection);
            foreach (var file in new[] { _path, _path + "-journal", _path + "-wal", _path + "-shm" })
                File.Delete(file);
            return ValueTask.CompletedTask;
        }
    }

    sealed class PostgresSagaDatabase(PostgresDatabase database) : SagaDatabase
    {
        public override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(database.ConnectionString);

        public override ValueTask DisposeAsync() => database.DisposeAsync();
    }
}
