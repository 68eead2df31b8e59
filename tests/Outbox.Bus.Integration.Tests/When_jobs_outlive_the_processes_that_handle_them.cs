using Outbox.Bus.Integration.Tests.Infrastructure;

namespace Outbox.Bus.Integration.Tests;

/// <summary>An accepted job (202) is in the database and on the broker, not in any process: processes may come and go.</summary>
public sealed class When_jobs_outlive_the_processes_that_handle_them(ITestOutputHelper output)
{
    [Fact]
    public async Task Should_deliver_jobs_accepted_before_any_worker_ever_started()
    {
        // A fresh broker: no worker has declared its queues yet, so a published command would find no queue.
        await using var deployment = await Deployment.CreateAsync(output);
        deployment.StartApi();
        var account = await deployment.ConnectAsync();
        var jobs = new List<string>();
        for (var i = 0; i < 5; i++)
            jobs.Add((await account.Send(Json.Message($"Before the workers {i}"))).Str("job_status_id"));
        deployment.Milestone("5 jobs accepted with no worker running");

        await deployment.StartWorkerAsync("worker", "all");
        await deployment.WaitForJobsAsync(account, jobs, "successful", TimeSpan.FromSeconds(120));

        var bySubject = deployment.Smtp.Messages.GroupBy(m => m.Message.Subject ?? "").ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(5, bySubject.Count);
        Assert.All(bySubject, subject => Assert.Equal(1, subject.Value));
    }

    [Fact]
    public async Task Should_deliver_each_accepted_job_once_after_the_worker_is_killed_and_replaced()
    {
        await using var deployment = await Deployment.CreateAsync(output);
        var first = await deployment.StartWorkerAsync("worker-1", "all");
        deployment.StartApi();
        var account = await deployment.ConnectAsync();

        // Due a few seconds from now: the saga takes them and schedules them; then its process dies (Kill, not a stop)
        // before any is delivered, and they fall due while no worker runs.
        var sendAt = Json.Now + 6;
        var jobs = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var message = Json.Message($"Survives the crash {i}");
            message["send_at"] = sendAt;
            jobs.Add((await account.Send(message)).Str("job_status_id"));
        }
        await deployment.WaitForJobsAsync(account, jobs, "pending", TimeSpan.FromSeconds(60));
        await first.KillAsync();
        deployment.Milestone("worker-1 killed with 10 jobs pending");
        Assert.Empty(deployment.Smtp.Messages);

        while (Json.Now <= sendAt + 1)
            await Task.Delay(250);
        await deployment.StartWorkerAsync("worker-2", "all");
        var done = await deployment.WaitForJobsAsync(account, jobs, "successful", TimeSpan.FromSeconds(120));

        var received = deployment.Smtp.Messages;
        Assert.All(done.Values, job =>
            Assert.Single(received, m => m.Message.MessageId == job["metadata"]!.Str("message_id")));
        Assert.Equal(10, received.Count);
        Assert.All(received, m => Assert.True(m.ReceivedAt.ToUnixTimeSeconds() >= sendAt, "delivered before send_at"));
    }
}
