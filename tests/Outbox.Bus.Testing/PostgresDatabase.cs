using Npgsql;

namespace Outbox.Bus.Testing;

/// <summary>
/// A fresh, empty database on the real PostgreSQL server the test command starts, dropped again on dispose, so tests
/// never see each other's rows. The server comes from <c>OUTBOX_TEST_POSTGRES</c>.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public const string Variable = "OUTBOX_TEST_POSTGRES";
    const string Default = "Host=127.0.0.1;Port=5432;Username=outbox;Password=outbox";

    readonly string _server;

    PostgresDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        // A small pool per test: many tests run at once against one server, whose connection slots are finite.
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true, MaxPoolSize = 20 }.ConnectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured ? configured : Default;
        var name = $"outbox_test_{Guid.NewGuid():n}";
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException exception)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL server at '{server}' ({exception.Message}). Run the README test command, which starts one, or set {Variable}.",
                exception);
        }
        return new PostgresDatabase(server, name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        // FORCE may meet a backend the test role cannot end (an autovacuum worker on the new database); that is the
        // server's housekeeping, not the test's outcome, so the drop is retried and at worst left to the next run.
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Database = "postgres" }.ConnectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException) when (attempt < 5)
            {
                await Task.Delay(200 * attempt);
            }
            catch (PostgresException exception)
            {
                Console.Error.WriteLine($"PostgresDatabase: could not drop {Name}: {exception.MessageText}");
            }
        }
    }
}
