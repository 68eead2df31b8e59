using System.Diagnostics;
using Outbox.Bus.Benchmarks.Infrastructure;

namespace Outbox.Bus.Benchmarks.Scenarios;

public sealed class BenchContext(BenchOptions options, Cluster cluster, MailSink sink, JobLedger ledger, Action<string> log)
{
    public BenchOptions Options { get; } = options;
    public Cluster Cluster { get; } = cluster;
    public MailSink Sink { get; } = sink;
    public JobLedger Ledger { get; } = ledger;
    public Action<string> Log { get; } = log;
    public CpuMeter Cpu { get; } = new(() => cluster.Processes);

    /// <summary>Far enough ahead that no accept or scale job falls due during the run: one to six days out.</summary>
    public static long FarSendAt(long n) => DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 86_400 + n % (5 * 86_400);

    /// <summary>
    /// Waits until no job is mid-attempt, no outbox row is waiting and every queue is empty, so counters read afterwards
    /// include the saga's last transitions and every accepted job has reached the saga.
    /// </summary>
    public async Task WaitForQuietAsync(TimeSpan timeout, string? before = null)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            var counts = await Cluster.Database.CountsAsync();
            if (counts.JobsByState.GetValueOrDefault("Sending") == 0 && counts.OutboxRows == 0 && await QueuesEmptyAsync())
            {
                if (before is not null && watch.Elapsed > TimeSpan.FromSeconds(2))
                    Log($"  waited {watch.Elapsed.TotalSeconds:0} s for the previous scenario's backlog to clear before {before}");
                return;
            }
            await Task.Delay(200);
        }
        Log($"  (still busy after {timeout.TotalSeconds:0} s; counters may include a little unfinished work)");
    }

    async Task<bool> QueuesEmptyAsync()
    {
        try
        {
            foreach (var queue in await Cluster.GetQueuesAsync())
            {
                var name = queue?["name"]?.GetValue<string>() ?? "";
                if (name.EndsWith("_error", StringComparison.Ordinal) || name.EndsWith("_skipped", StringComparison.Ordinal))
                    continue;
                if ((queue?["messages"]?.GetValue<long>() ?? 0) > 0)
                    return false;
            }
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
        {
            return true; // the management API is only a convenience here
        }
    }

    /// <summary>Counters after the statistics collector has caught up (see <see cref="DatabaseProbe"/>).</summary>
    public async Task<DatabaseCounters> SettledCountersAsync()
    {
        await Task.Delay(Options.StatsSettle);
        return await Cluster.Database.SnapshotAsync();
    }

    public static IReadOnlyDictionary<string, double> PerJob(CpuUsage cpu, int jobs) =>
        jobs == 0
            ? new Dictionary<string, double>()
            : cpu.CpuSeconds.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value * 1000 / jobs, 2));
}
