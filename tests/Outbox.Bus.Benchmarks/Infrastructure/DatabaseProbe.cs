using Npgsql;

namespace Outbox.Bus.Benchmarks.Infrastructure;

/// <summary>
/// Reads the service database's own counters (<c>pg_stat_database</c> for this database only, so other databases on the
/// server do not count) and sizes. PostgreSQL 15 publishes a busy backend's counters at most once a second and an idle
/// one's within ten, so a snapshot taken right after work is a little short; callers wait <c>StatsSettle</c> first.
/// </summary>
public sealed class DatabaseProbe(string connectionString)
{
    public string ConnectionString { get; } = connectionString;

    public async Task<DatabaseCounters> SnapshotAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", connection))
            await clear.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand("""
            SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_fetched, blks_read, blks_hit,
                   pg_database_size(current_database())
            FROM pg_stat_database WHERE datname = current_database()
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new DatabaseCounters(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8));
    }

    public async Task<long> SizeAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Each table's size with its indexes and TOAST data, largest first.</summary>
    public async Task<Dictionary<string, long>> TableSizesAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY 2 DESC
            """, connection);
        var sizes = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            if (reader.GetInt64(1) > 64 * 1024)
                sizes[reader.GetString(0)] = reader.GetInt64(1);
        return sizes;
    }

    /// <summary>Jobs per saga state and the number of scheduled rows (due later) and unsent outbox rows.</summary>
    public async Task<TableCounts> CountsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var states = new Dictionary<string, long>();
        await using (var command = new NpgsqlCommand("SELECT \"CurrentState\", count(*) FROM \"SendJobs\" GROUP BY 1", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                states[reader.GetString(0)] = reader.GetInt64(1);

        await using var rows = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM "OutboxMessage" WHERE "EnqueueTime" IS NOT NULL),
                   (SELECT count(*) FROM "OutboxMessage" WHERE "EnqueueTime" IS NULL),
                   (SELECT count(*) FROM "InboxState")
            """, connection);
        await using var counts = await rows.ExecuteReaderAsync();
        await counts.ReadAsync();
        return new TableCounts(states, counts.GetInt64(0), counts.GetInt64(1), counts.GetInt64(2));
    }
}

public sealed record DatabaseCounters(long Commits, long Rollbacks, long Inserted, long Updated, long Deleted, long Fetched, long BlocksRead,
    long BlocksHit, long SizeBytes)
{
    public DatabaseCounters Minus(DatabaseCounters before) => new(Commits - before.Commits, Rollbacks - before.Rollbacks,
        Inserted - before.Inserted, Updated - before.Updated, Deleted - before.Deleted, Fetched - before.Fetched,
        BlocksRead - before.BlocksRead, BlocksHit - before.BlocksHit, SizeBytes - before.SizeBytes);
}

public sealed record TableCounts(IReadOnlyDictionary<string, long> JobsByState, long ScheduledRows, long OutboxRows, long InboxRows);
