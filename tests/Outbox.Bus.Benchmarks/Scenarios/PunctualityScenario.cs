using System.Collections.Concurrent;
using System.Diagnostics;
using Outbox.Bus.Benchmarks.Infrastructure;

namespace Outbox.Bus.Benchmarks.Scenarios;

/// <summary>
/// Scenario 3: rate × seconds jobs, created ahead of time, with send_at (whole Unix seconds, as on the wire) chosen so
/// that exactly rate jobs fall due in each second of the window. Lateness is SMTP arrival − send_at; an arrival before
/// send_at is an early send. The jobs are created first, in send_at order, with a lead long enough for the API to
/// accept them all and the saga to take them (estimated from the accept and end-to-end scenarios); a job whose send_at
/// would be less than two seconds away when its turn comes is not created (counted as skipped) rather than created late.
/// </summary>
public static class PunctualityScenario
{
    static readonly TimeSpan MinimumNotice = TimeSpan.FromSeconds(2);

    public static async Task<PunctualityResult> RunAsync(BenchContext context, string scenario, double acceptRateEstimate,
        double endToEndRateEstimate)
    {
        var options = context.Options;
        var rate = options.PunctualityRate;
        var seconds = options.PunctualitySeconds;
        await context.WaitForQuietAsync(TimeSpan.FromMinutes(10), scenario);
        var planned = rate * seconds;
        var createRate = Math.Max(20, acceptRateEstimate * 0.6);
        // The API answers before the saga has taken a job, so the lead also covers the saga working off the creation
        // backlog (it takes new jobs at least as fast as it finishes whole ones): the scenario measures how punctually
        // scheduled jobs go out, not how fast a burst of new ones is taken in.
        var intakeRate = Math.Max(20, endToEndRateEstimate);
        var lead = Math.Clamp(Math.Ceiling(planned / createRate + planned / intakeRate) + 3, 4, 900);
        var firstDue = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1 + (long)lead;
        context.Log($"{scenario}: {planned} jobs, {rate} due per second for {seconds} s from {DateTimeOffset.FromUnixTimeSeconds(firstDue):HH:mm:ss} " +
                    $"(lead {lead:0} s)");

        context.Sink.ReleaseStoredMessages();
        var created = new ConcurrentQueue<(string Id, long SendAt)>();
        int next = -1, skipped = 0, createErrors = 0;
        var examples = new ConcurrentQueue<string>();
        var creation = Stopwatch.StartNew();

        async Task Creator()
        {
            for (var i = Interlocked.Increment(ref next); i < planned; i = Interlocked.Increment(ref next))
            {
                var sendAt = firstDue + i / rate;
                if (DateTimeOffset.FromUnixTimeSeconds(sendAt) - DateTimeOffset.UtcNow < MinimumNotice)
                {
                    Interlocked.Increment(ref skipped);
                    continue;
                }
                var requested = DateTimeOffset.UtcNow;
                var post = await context.Cluster.Client.PostAsync(sendAt, scenario);
                if (post.Accepted)
                {
                    context.Ledger.Add(post.JobId!, scenario, requested, sendAt, mustBeSent: true);
                    created.Enqueue((post.JobId!, sendAt));
                }
                else
                {
                    Interlocked.Increment(ref createErrors);
                    if (examples.Count < 5) examples.Enqueue($"{post.Status}: {post.Error}");
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, options.AcceptConcurrency).Select(_ => Task.Run(Creator)));
        var creationSeconds = creation.Elapsed.TotalSeconds;
        context.Log($"  created {created.Count} in {creationSeconds:0.0} s ({created.Count / creationSeconds:0} /s), skipped {skipped}, " +
                    $"{createErrors} error(s){(examples.IsEmpty ? "" : ": " + string.Join("; ", examples))}");

        // Counters from the first due second to the end of the drain.
        await WaitUntil(DateTimeOffset.FromUnixTimeSeconds(firstDue) - TimeSpan.FromMilliseconds(500));
        var before = await context.Cluster.Database.SnapshotAsync();
        var cpu = context.Cpu.Take();
        var sampler = LoadSampler.Start(context.Cluster);

        var lastDue = DateTimeOffset.FromUnixTimeSeconds(firstDue + seconds);
        await WaitUntil(lastDue);
        var drain = Stopwatch.StartNew();
        var jobs = created.ToArray();
        // Bounded, but long enough for a backlog to clear at the end-to-end rate measured earlier (if the pipeline is
        // slower than the due rate, the backlog is the finding, and the jobs must still arrive exactly once).
        var drainTimeout = TimeSpan.FromSeconds(Math.Min(1800,
            Math.Max(options.DrainTimeout.TotalSeconds, jobs.Length / Math.Max(5, endToEndRateEstimate) * 1.5 + 30)));
        var pendingIndex = 0;
        while (drain.Elapsed < drainTimeout && pendingIndex < jobs.Length)
        {
            while (pendingIndex < jobs.Length && context.Sink.TryGetReceipt(jobs[pendingIndex].Id, out _))
                pendingIndex++;
            if (pendingIndex < jobs.Length)
                await Task.Delay(100);
        }
        var drainSeconds = drain.Elapsed.TotalSeconds;
        if (pendingIndex < jobs.Length && jobs.Skip(pendingIndex).Any(j => !context.Sink.TryGetReceipt(j.Id, out _)))
            context.Log($"  drain timed out after {drainTimeout.TotalSeconds:0} s");
        var usage = context.Cpu.Take().Since(cpu);
        var load = await sampler.StopAsync();
        await context.WaitForQuietAsync(TimeSpan.FromSeconds(30));
        var after = await context.SettledCountersAsync();
        var connections = context.Sink.ReleaseStoredMessages();

        var lateness = new List<double>(jobs.Length);
        var bySecond = new Dictionary<long, List<double>>();
        int received = 0, early = 0, duplicates = 0;
        foreach (var (id, sendAt) in jobs)
        {
            if (!context.Sink.TryGetReceipt(id, out var receipt))
                continue;
            received++;
            if (receipt.Count > 1) duplicates++;
            var late = (receipt.First - DateTimeOffset.FromUnixTimeSeconds(sendAt)).TotalSeconds;
            if (late < 0) early++;
            lateness.Add(late);
            if (!bySecond.TryGetValue(sendAt, out var list))
                bySecond[sendAt] = list = [];
            list.Add(late);
        }
        double P99Of(long second) => bySecond.TryGetValue(second, out var l) ? Distribution.Of(l).P99 : double.NaN;

        var result = new PunctualityResult(rate, seconds, planned, jobs.Length, skipped, createErrors, Math.Round(creationSeconds, 2),
            Math.Round(jobs.Length / creationSeconds, 1), lead, received, jobs.Length - received, early, duplicates, Distribution.Of(lateness),
            P99Of(bySecond.Keys.DefaultIfEmpty().Min()), P99Of(bySecond.Keys.DefaultIfEmpty().Max()),
            Math.Round(after.Minus(before).Commits / (double)Math.Max(1, received), 2), connections, usage,
            BenchContext.PerJob(usage, received), load, Math.Round(drainSeconds, 1));
        context.Log($"  lateness p50 {result.LatenessSeconds.P50:0.000} s, p99 {result.LatenessSeconds.P99:0.000} s, " +
                    $"p99.9 {result.LatenessSeconds.P999:0.000} s, max {result.LatenessSeconds.Max:0.000} s; {result.Early} early, " +
                    $"{result.Unfinished} unfinished, {result.Duplicates} twice; machine CPU {usage.MachineBusyPercent:0}%; drain {drainSeconds:0} s after the last due second");
        context.Log($"  peak DB connections {EndToEndScenario.Describe(load.MaxConnectionsByState)}; peak queue depths {EndToEndScenario.Describe(load.MaxQueueDepth)}");
        return result;
    }

    static async Task WaitUntil(DateTimeOffset when)
    {
        var wait = when - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait);
    }
}
