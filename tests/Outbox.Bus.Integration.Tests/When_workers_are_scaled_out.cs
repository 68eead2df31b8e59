using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Outbox.Bus.Integration.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Integration.Tests;

/// <summary>Several worker processes per role, competing for the same queues as <c>--scale</c> would run them.</summary>
public sealed class When_workers_are_scaled_out(ITestOutputHelper output)
{
    const int JobCount = 60;

    /// <summary>What <c>DeliverMessageConsumer</c> logs for every attempt the SMTP server accepted: tells which sender
    /// process did the work.</summary>
    const string DeliveredLogLine = "Delivered attempt";

    /// <summary>A sender works on at most this many messages at once (<c>DeliverMessageConsumerDefinition</c>), so a
    /// killed one can have had at most this many in flight.</summary>
    const int SenderConcurrency = 32;

    [Fact]
    public async Task Should_deliver_every_job_exactly_once_and_share_the_work()
    {
        await using var deployment = await Deployment.CreateAsync(output);
        var starting = deployment.StartWorkersAsync(("saga-1", "saga"), ("saga-2", "saga"), ("sender-1", "sender"), ("sender-2", "sender"));
        deployment.StartApi();
        var workers = await starting;
        var senders = workers[2..];
        var account = await deployment.ConnectAsync();

        var jobIds = await SendJobsAsync(account, JobCount, parallelism: 6);
        deployment.Milestone($"{JobCount} jobs accepted");
        var jobs = await deployment.WaitForJobsAsync(account, jobIds, "successful", TimeSpan.FromSeconds(180));
        await deployment.Smtp.WaitForMessagesAsync(JobCount, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(1)); // a duplicate would arrive right behind the original

        var (missing, duplicates, strangers) = Compare(jobs, deployment.Smtp.Messages);
        Assert.True(missing.Count == 0 && duplicates.Count == 0 && strangers.Count == 0,
            $"Every job's Message-ID should have arrived exactly once. Missing: [{string.Join(", ", missing)}]; " +
            $"more than once: [{string.Join(", ", duplicates.Select(d => $"{d.Key} x{d.Value}"))}]; " +
            $"not a job's: [{string.Join(", ", strangers)}].\n{deployment.Describe()}");

        var shares = senders.Select(s => (s.Name, Count: s.CountLines(DeliveredLogLine))).ToList();
        Assert.True(shares.All(s => s.Count > 0),
            $"Both senders should have delivered some of the {JobCount} messages; '{DeliveredLogLine}' lines: " +
            $"{string.Join(", ", shares.Select(s => $"{s.Name}={s.Count}"))}.\n{deployment.Describe()}");
        Assert.True(shares.Sum(s => s.Count) == JobCount,
            $"Exactly {JobCount} successful attempts expected; '{DeliveredLogLine}' lines: " +
            $"{string.Join(", ", shares.Select(s => $"{s.Name}={s.Count}"))}.\n{deployment.Describe()}");
    }

    [Fact]
    public async Task Should_lose_nothing_when_a_sender_process_is_killed_mid_way()
    {
        // Each message takes the SMTP server a moment, so the killed sender has transactions in flight when it dies.
        // The reply is held back synchronously, one pool thread per open transaction: make sure there are enough.
        ThreadPool.GetMinThreads(out var workerThreads, out var ioThreads);
        ThreadPool.SetMinThreads(Math.Max(workerThreads, 2 * SenderConcurrency + 16), Math.Max(ioThreads, 2 * SenderConcurrency + 16));
        var smtpDelay = TimeSpan.FromMilliseconds(200);
        await using var deployment = await Deployment.CreateAsync(output, new TestSmtpServerOptions
        {
            Username = Deployment.SmtpUsername,
            Password = Deployment.SmtpPassword,
            AuthenticationRequired = true,
            OnMessage = _ =>
            {
                Thread.Sleep(smtpDelay);
                return null;
            },
        });
        var starting = deployment.StartWorkersAsync(("saga", "saga"), ("sender-1", "sender"), ("sender-2", "sender"));
        deployment.StartApi();
        var workers = await starting;
        var senders = workers[1..];
        var account = await deployment.ConnectAsync();

        // Kill a sender that has demonstrably been working, once some but not all messages have arrived.
        var sending = SendJobsAsync(account, JobCount, parallelism: 4);
        var killAfter = JobCount / 6;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while ((deployment.Smtp.Messages.Count < killAfter || senders.All(s => s.CountLines(DeliveredLogLine) == 0))
               && DateTime.UtcNow < deadline && !sending.IsFaulted)
            await Task.Delay(10);
        if (sending.IsFaulted)
            await sending; // the API's answer says more than any assertion below
        var victim = senders.MaxBy(s => s.CountLines(DeliveredLogLine))!;
        var survivor = senders.Single(s => s != victim);
        var arrivedBeforeKill = deployment.Smtp.Messages.Count;
        var victimDelivered = victim.CountLines(DeliveredLogLine);
        await victim.KillAsync();
        deployment.Milestone($"killed {victim.Name} after {arrivedBeforeKill} arrival(s)");
        Assert.True(arrivedBeforeKill >= killAfter && victimDelivered > 0,
            $"Within 120 s only {arrivedBeforeKill} message(s) arrived and the busiest sender logged {victimDelivered} delivery(ies); " +
            $"expected {killAfter} and at least one before the kill.\n{deployment.Describe()}");
        Assert.True(arrivedBeforeKill < JobCount,
            $"All {JobCount} messages had arrived before the sender could be killed: the test proves nothing.\n{deployment.Describe()}");

        var jobIds = await sending;
        deployment.Milestone($"{JobCount} jobs accepted");
        var jobs = await deployment.WaitForJobsAsync(account, jobIds, "successful", TimeSpan.FromSeconds(180));
        await Task.Delay(TimeSpan.FromSeconds(1)); // a duplicate would arrive right behind the original

        var received = deployment.Smtp.Messages;
        var (missing, duplicates, strangers) = Compare(jobs, received);
        var extra = duplicates.Values.Sum(count => count - 1);
        // At-least-once: a message whose SMTP transaction was under way when its sender died is sent again by the
        // survivor, even one the server had already recorded (its reply never reached the dead process). So the bound
        // is what one sender can hold unacknowledged at once: its concurrency, not the jobs still missing at the kill.
        var inFlightBound = SenderConcurrency;
        var report =
            $"{JobCount} jobs; killed {victim.Name} after {arrivedBeforeKill} arrival(s) (it had logged {victimDelivered} delivery(ies)); " +
            $"{received.Count} message(s) received; {duplicates.Count} job(s) received more than once ({extra} extra): " +
            $"[{string.Join(", ", duplicates.Select(d => $"{d.Key} x{d.Value}"))}]; missing: [{string.Join(", ", missing)}]; " +
            $"not a job's: [{string.Join(", ", strangers)}]; {survivor.Name} logged {survivor.CountLines(DeliveredLogLine)} delivery(ies).";
        output.WriteLine(report);
        Assert.True(missing.Count == 0 && strangers.Count == 0, $"Every job should have been delivered. {report}\n{deployment.Describe()}");
        Assert.True(extra <= inFlightBound,
            $"At most {inFlightBound} duplicate(s) expected (what the killed sender could have had in flight). {report}\n{deployment.Describe()}");
        Assert.True(survivor.CountLines(DeliveredLogLine) > 0, $"The surviving sender should have taken over. {report}\n{deployment.Describe()}");
        Assert.False(survivor.HasExited, $"{survivor.Name} should still be running. {report}\n{deployment.Describe()}");
    }

    /// <summary>Sends <paramref name="count"/> immediate jobs through the API, <paramref name="parallelism"/> at a time.</summary>
    static async Task<IReadOnlyList<string>> SendJobsAsync(Account account, int count, int parallelism)
    {
        var ids = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(1, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (number, _) => ids.Add((await account.Send(Json.Message($"Job {number}", $"rcpt{number}@example.com"))).Str("job_status_id")));
        return ids.ToList();
    }

    /// <summary>Matches what the SMTP server received to the jobs by <c>Message-ID</c> (each job's, in its metadata).</summary>
    static (List<string> Missing, Dictionary<string, int> Duplicates, List<string> Strangers) Compare(
        IReadOnlyDictionary<string, JsonObject> jobs, IReadOnlyList<ReceivedMessage> received)
    {
        var expected = jobs.Values.Select(j => j["metadata"]!.Str("message_id")).ToHashSet();
        var counts = received.GroupBy(m => m.Message.MessageId ?? "(none)").ToDictionary(g => g.Key, g => g.Count());
        var missing = expected.Where(id => !counts.ContainsKey(id)).ToList();
        var duplicates = counts.Where(c => c.Value > 1).ToDictionary(c => c.Key, c => c.Value);
        var strangers = counts.Keys.Where(id => !expected.Contains(id)).ToList();
        return (missing, duplicates, strangers);
    }
}
