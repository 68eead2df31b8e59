using System.Collections.Concurrent;
using System.Diagnostics;
using Outbox.Bus.Benchmarks.Infrastructure;

namespace Outbox.Bus.Benchmarks.Scenarios;

/// <summary>
/// Scenario 2: immediate sends, from the request to the message's arrival at the SMTP sink. A fixed number of jobs is
/// kept in flight: each client posts a job, waits until the sink has it, and posts the next, for the whole duration. That
/// measures the most the pipeline sustains without building an unbounded backlog; latency is then in-flight / throughput
/// (Little's law) plus the pipeline's own time. Jobs/s counts arrivals after the warm-up, within the duration.
/// </summary>
public static class EndToEndScenario
{
    public static string Describe<T>(IReadOnlyDictionary<string, T> values) =>
        values.Count == 0 ? "none" : string.Join(", ", values.Select(kv => $"{kv.Key} {kv.Value}"));

    public static async Task<EndToEndResult> RunAsync(BenchContext context, string scenario)
    {
        var options = context.Options;
        var duration = TimeSpan.FromSeconds(options.EndToEndSeconds);
        var warmup = TimeSpan.FromSeconds(Math.Min(options.EndToEndWarmupSeconds, options.EndToEndSeconds / 2.0));
        context.Log($"{scenario}: {options.EndToEndInFlight} jobs in flight for {duration.TotalSeconds:0} s (warm-up {warmup.TotalSeconds:0} s)");

        // A backlog left by the accept scenarios (a saga queue still draining) must not count against this one.
        await context.WaitForQuietAsync(TimeSpan.FromMinutes(10), scenario);

        // The pollers' own commits while nothing happens, to separate them from the work per job.
        var idleStart = await context.SettledCountersAsync();
        var idleWatch = Stopwatch.StartNew();
        var idleEnd = await context.SettledCountersAsync();
        var idleCommitsPerSecond = (idleEnd.Commits - idleStart.Commits - 1) / idleWatch.Elapsed.TotalSeconds;

        context.Sink.ReleaseStoredMessages();
        var before = idleEnd;
        var countersWatch = Stopwatch.StartNew();
        var cpu = context.Cpu.Take();
        var sampler = LoadSampler.Start(context.Cluster);
        var latencies = new ConcurrentQueue<double>();
        var acceptLatencies = new ConcurrentQueue<double>();
        var examples = new ConcurrentQueue<string>();
        int requested = 0, accepted = 0, postErrors = 0, finished = 0, unfinished = 0;
        var started = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();

        async Task Client()
        {
            for (var i = 0; i < 10_000_000 && watch.Elapsed < duration; i++)
            {
                Interlocked.Increment(ref requested);
                var requestedAt = DateTimeOffset.UtcNow;
                var post = await context.Cluster.Client.PostAsync(null, scenario);
                acceptLatencies.Enqueue(post.LatencyMs);
                if (!post.Accepted)
                {
                    Interlocked.Increment(ref postErrors);
                    if (examples.Count < 5) examples.Enqueue($"{post.Status}: {post.Error}");
                    await Task.Delay(50); // an error answered at once must not turn this into a busy loop
                    continue;
                }
                Interlocked.Increment(ref accepted);
                context.Ledger.Add(post.JobId!, scenario, requestedAt, null, mustBeSent: true);
                try
                {
                    var arrived = await context.Sink.WhenReceived(post.JobId!).WaitAsync(options.JobTimeout);
                    latencies.Enqueue((arrived - requestedAt).TotalMilliseconds);
                    Interlocked.Increment(ref finished);
                }
                catch (TimeoutException)
                {
                    Interlocked.Increment(ref unfinished);
                    if (examples.Count < 5) examples.Enqueue($"job {post.JobId} not received within {options.JobTimeout.TotalSeconds:0} s");
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, options.EndToEndInFlight).Select(_ => Task.Run(Client)));
        var elapsed = watch.Elapsed.TotalSeconds;
        var usage = context.Cpu.Take().Since(cpu);
        var load = await sampler.StopAsync();
        await context.WaitForQuietAsync(TimeSpan.FromSeconds(30));
        var after = await context.SettledCountersAsync();
        var wall = countersWatch.Elapsed.TotalSeconds;
        var delta = after.Minus(before);
        var connections = context.Sink.ReleaseStoredMessages();

        // Arrivals inside [start + warm-up, start + duration]: the sustained rate.
        var windowStart = started + warmup;
        var windowEnd = started + duration;
        var inWindow = 0;
        foreach (var (id, job) in context.Ledger.Of(scenario))
            if (context.Sink.TryGetReceipt(id, out var receipt) && receipt.First >= windowStart && receipt.First <= windowEnd)
                inWindow++;
        var steady = inWindow / (duration - warmup).TotalSeconds;
        var jobs = Math.Max(1, finished);

        var result = new EndToEndResult(options.EndToEndInFlight, Math.Round(elapsed, 2), warmup.TotalSeconds, requested, accepted, postErrors,
            finished, unfinished + (accepted - finished - unfinished), Math.Round(steady, 1), Math.Round(finished / elapsed, 1),
            Distribution.Of(latencies), Distribution.Of(acceptLatencies),
            Math.Round(delta.Commits / (double)jobs, 2), Math.Round(idleCommitsPerSecond, 1),
            Math.Round((delta.Commits - idleCommitsPerSecond * wall) / jobs, 2),
            Math.Round(delta.Inserted / (double)jobs, 2), Math.Round(delta.Updated / (double)jobs, 2), Math.Round(delta.Deleted / (double)jobs, 2),
            connections, usage, BenchContext.PerJob(usage, finished), load, examples.ToArray());
        context.Log($"  {result.JobsPerSecond:0.0} jobs/s sustained ({result.JobsPerSecondOverall:0.0} overall), p50 {result.LatencyMs.P50:0} ms, " +
                    $"p99 {result.LatencyMs.P99:0} ms, {result.Unfinished} unfinished, {result.CommitsPerJob:0.0} commits/job, " +
                    $"{connections} SMTP connection(s), machine CPU {usage.MachineBusyPercent:0}%");
        context.Log($"  peak DB connections {Describe(load.MaxConnectionsByState)}; peak queue depths {Describe(load.MaxQueueDepth)}");
        return result;
    }
}
