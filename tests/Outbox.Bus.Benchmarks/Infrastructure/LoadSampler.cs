using System.Text.Json.Nodes;
using Npgsql;

namespace Outbox.Bus.Benchmarks.Infrastructure;

/// <summary>
/// Samples, once a second while a scenario runs, where work waits: the service database's connections by state
/// (an <c>idle in transaction</c> connection holds a transaction open while its owner does something else) and the
/// RabbitMQ queues' depths (the queue that grows is in front of the bottleneck).
/// </summary>
public sealed class LoadSampler : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    readonly Dictionary<string, int> _maxConnections = [];
    readonly Dictionary<string, long> _maxQueue = [];
    readonly Dictionary<string, double> _sumQueue = [];
    int _samples;

    LoadSampler(string connectionString, Func<Task<JsonArray>> queues)
    {
        _loop = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await SampleAsync(connection, queues);
                }
                catch (Exception e) when (e is NpgsqlException or HttpRequestException or InvalidOperationException or TaskCanceledException)
                {
                    // A missed sample is only a missed sample.
                }
                try
                {
                    await Task.Delay(1000, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    public static LoadSampler Start(Cluster cluster) => new(cluster.Database.ConnectionString, cluster.GetQueuesAsync);

    async Task SampleAsync(NpgsqlConnection connection, Func<Task<JsonArray>> queues)
    {
        var counts = new Dictionary<string, int>();
        await using (var command = new NpgsqlCommand(
                         "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1",
                         connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                counts[reader.GetString(0)] = (int)reader.GetInt64(1);
        counts["total"] = counts.Values.Sum();

        var depths = new Dictionary<string, long>();
        foreach (var queue in await queues())
        {
            var name = queue?["name"]?.GetValue<string>();
            if (name is null || name.Contains("_bus_", StringComparison.Ordinal) || name.EndsWith("_error", StringComparison.Ordinal) ||
                name.EndsWith("_skipped", StringComparison.Ordinal))
                continue;
            depths[name] = queue!["messages"]?.GetValue<long>() ?? 0;
        }

        lock (_maxConnections)
        {
            _samples++;
            foreach (var (state, count) in counts)
                _maxConnections[state] = Math.Max(_maxConnections.GetValueOrDefault(state), count);
            foreach (var (queue, depth) in depths)
            {
                _maxQueue[queue] = Math.Max(_maxQueue.GetValueOrDefault(queue), depth);
                _sumQueue[queue] = _sumQueue.GetValueOrDefault(queue) + depth;
            }
        }
    }

    public async Task<LoadSummary> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        lock (_maxConnections)
        {
            return new LoadSummary(_samples, new Dictionary<string, int>(_maxConnections),
                _maxQueue.Where(q => q.Value > 0).OrderByDescending(q => q.Value).ToDictionary(q => q.Key, q => q.Value),
                _sumQueue.Where(q => q.Value > 0).OrderByDescending(q => q.Value)
                    .ToDictionary(q => q.Key, q => Math.Round(q.Value / Math.Max(1, _samples), 1)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
            await StopAsync();
        _stop.Dispose();
    }
}

/// <summary>
/// Peak service-database connections per state (<c>active</c>, <c>idle</c>, <c>idle in transaction</c>, <c>total</c>),
/// and the peak and mean number of messages in each queue that was ever non-empty.
/// </summary>
public sealed record LoadSummary(int Samples, IReadOnlyDictionary<string, int> MaxConnectionsByState,
    IReadOnlyDictionary<string, long> MaxQueueDepth, IReadOnlyDictionary<string, double> MeanQueueDepth);
