using System.Collections.Concurrent;
using System.Diagnostics;
using Outbox.Bus.Benchmarks.Infrastructure;

namespace Outbox.Bus.Benchmarks.Scenarios;

/// <summary>
/// Scenario 1: <c>POST /v2/outbox</c> of jobs due one to six days out (so they stay pending and add no sending work).
/// Closed: a fixed number of clients, each posting again as soon as it has its answer, for a fixed time: the API's
/// throughput at that concurrency. Paced: requests started on a fixed schedule (open loop) at the target rate, each
/// latency measured from its scheduled start, so a stalled server cannot hide its queueing (no coordinated omission).
/// </summary>
public static class AcceptScenario
{
    const int MaxErrorExamples = 5;

    public static async Task<AcceptResult> RunClosedAsync(BenchContext context, string scenario, int concurrency, TimeSpan duration)
    {
        context.Log($"{scenario}: closed loop, {concurrency} clients for {duration.TotalSeconds:0} s");
        var samples = new ConcurrentQueue<double>();
        var errors = new ConcurrentDictionary<string, int>();
        var examples = new ConcurrentQueue<string>();
        var before = await context.Cluster.Database.SnapshotAsync();
        var cpu = context.Cpu.Take();
        var sampler = LoadSampler.Start(context.Cluster);
        var watch = Stopwatch.StartNew();
        int requests = 0, accepted = 0;

        async Task Client()
        {
            // Bounded by time, and by count so that a server answering instantly with errors cannot spin forever.
            for (var i = 0; i < 10_000_000 && watch.Elapsed < duration; i++)
            {
                var n = Interlocked.Increment(ref requests);
                var sendAt = BenchContext.FarSendAt(n);
                var requested = DateTimeOffset.UtcNow;
                var result = await context.Cluster.Client.PostAsync(sendAt, scenario);
                Record(context, scenario, result, requested, sendAt, samples, errors, examples, ref accepted);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Client)));
        var elapsed = watch.Elapsed.TotalSeconds;
        var usage = context.Cpu.Take().Since(cpu);
        var load = await sampler.StopAsync();
        var after = await context.Cluster.Database.SnapshotAsync();

        var result = new AcceptResult("closed", concurrency, null, Math.Round(elapsed, 2), requests, accepted, requests - accepted,
            errors, 0, Math.Round(accepted / elapsed, 1), Distribution.Of(samples), examples.ToArray(), usage, after.Minus(before), load);
        context.Log($"  {result.RequestsPerSecond:0.0} accepted/s, p50 {result.LatencyMs.P50:0.0} ms, p99 {result.LatencyMs.P99:0.0} ms, " +
                    $"max {result.LatencyMs.Max:0.0} ms, {result.Errors} error(s)");
        return result;
    }

    public static async Task<AcceptResult> RunPacedAsync(BenchContext context, string scenario, int rate, TimeSpan duration)
    {
        var total = (int)(rate * duration.TotalSeconds);
        // More outstanding requests than this means the server is far behind; further starts are counted, not sent.
        var maxOutstanding = Math.Max(64, rate * 4);
        context.Log($"{scenario}: paced, {rate} requests/s for {duration.TotalSeconds:0} s ({total} requests)");

        var samples = new ConcurrentQueue<double>();
        var errors = new ConcurrentDictionary<string, int>();
        var examples = new ConcurrentQueue<string>();
        var before = await context.Cluster.Database.SnapshotAsync();
        var cpu = context.Cpu.Take();
        var sampler = LoadSampler.Start(context.Cluster);
        var tasks = new List<Task>(total);
        int outstanding = 0, accepted = 0, notSent = 0;
        var ticksPerRequest = Stopwatch.Frequency / (double)rate;
        var start = Stopwatch.GetTimestamp();

        async Task One(long scheduled, int n)
        {
            try
            {
                var sendAt = BenchContext.FarSendAt(n);
                var requested = DateTimeOffset.UtcNow;
                var result = await context.Cluster.Client.PostAsync(sendAt, scenario);
                // Latency from when the request was due to start, not from when the generator got round to it.
                var fromSchedule = Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds;
                Record(context, scenario, result with { LatencyMs = fromSchedule }, requested, sendAt, samples, errors, examples, ref accepted);
            }
            finally
            {
                Interlocked.Decrement(ref outstanding);
            }
        }

        var launched = 0;
        var deadline = duration + TimeSpan.FromSeconds(5);
        while (launched < total && Stopwatch.GetElapsedTime(start) < deadline)
        {
            var due = Math.Min(total, (int)((Stopwatch.GetTimestamp() - start) / ticksPerRequest) + 1);
            for (; launched < due; launched++)
            {
                var scheduled = start + (long)(launched * ticksPerRequest);
                if (Volatile.Read(ref outstanding) >= maxOutstanding)
                {
                    notSent++;
                    continue;
                }
                Interlocked.Increment(ref outstanding);
                var n = launched;
                tasks.Add(Task.Run(() => One(scheduled, n)));
            }
            await Task.Delay(1);
        }
        notSent += total - launched;
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(90));
        // From the first scheduled start to the last answer: a server that answers late has not kept the pace.
        var sent = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var usage = context.Cpu.Take().Since(cpu);
        var load = await sampler.StopAsync();
        var after = await context.Cluster.Database.SnapshotAsync();

        var result = new AcceptResult("paced", 0, rate, Math.Round(sent, 2), tasks.Count, accepted, tasks.Count - accepted + notSent, errors,
            notSent, Math.Round(accepted / sent, 1), Distribution.Of(samples), examples.ToArray(), usage, after.Minus(before), load);
        context.Log($"  {result.RequestsPerSecond:0.0} accepted/s of {rate} offered, p50 {result.LatencyMs.P50:0.0} ms, p99 {result.LatencyMs.P99:0.0} ms, " +
                    $"max {result.LatencyMs.Max:0.0} ms, {result.Errors} error(s) ({notSent} not sent: client saturated)");
        return result;
    }

    static void Record(BenchContext context, string scenario, PostResult result, DateTimeOffset requested, long sendAt,
        ConcurrentQueue<double> samples, ConcurrentDictionary<string, int> errors, ConcurrentQueue<string> examples, ref int accepted)
    {
        samples.Enqueue(result.LatencyMs);
        if (result.Accepted)
        {
            Interlocked.Increment(ref accepted);
            context.Ledger.Add(result.JobId!, scenario, requested, sendAt, mustBeSent: false);
            return;
        }
        errors.AddOrUpdate(result.Status == 0 ? "exception" : result.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), 1,
            (_, c) => c + 1);
        if (examples.Count < MaxErrorExamples)
            examples.Enqueue($"{result.Status}: {result.Error}");
    }
}
