using System.Text.Json.Nodes;
using Outbox.Bus.Integration.Tests.Infrastructure;

namespace Outbox.Bus.Integration.Tests;

/// <summary>Production's shape in miniature: the API (<c>Roles=none</c>) in this process and one worker process with every
/// role, on RabbitMQ and PostgreSQL, delivering to a real SMTP server that requires authentication.</summary>
public sealed class When_the_whole_pipeline_runs_on_rabbitmq_and_postgres(ITestOutputHelper output)
{
    static readonly TimeSpan Visible = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Should_deliver_scheduled_and_immediate_messages_and_apply_updates_and_cancels()
    {
        // A short lock window lets the test move a job to a few seconds from now.
        await using var deployment = await Deployment.CreateAsync(output,
            settings: new Dictionary<string, string?> { ["Jobs:UpdateLockWindow"] = "00:00:00.200" });
        var worker = deployment.StartWorkerAsync("worker", "all");
        deployment.StartApi();
        await worker;
        var account = await deployment.ConnectAsync();

        // Cancelled: the DELETE goes to the saga worker through RabbitMQ (a request with a response).
        var toCancel = Json.Message("Cancelled");
        toCancel["send_at"] = Json.Now + 600;
        var cancelledJob = (await account.Send(toCancel)).Str("job_status_id");
        await deployment.WaitUntilVisibleAsync(account, cancelledJob, Visible);
        using var cancel = await account.Cancel(cancelledJob);
        var cancelBody = await cancel.Content.ReadAsStringAsync();
        Assert.True((int)cancel.StatusCode == 200, $"DELETE answered {(int)cancel.StatusCode}: {cancelBody}\n{deployment.Describe()}");
        Assert.Equal("cancelled", JsonNode.Parse(cancelBody)!.Str("status"));

        // Updated: scheduled far ahead, then moved to a few seconds from now with a new subject (same path as a cancel).
        var toUpdate = Json.Message("Before the update");
        toUpdate["send_at"] = Json.Now + 600;
        var updatedJob = (await account.Send(toUpdate)).Str("job_status_id");
        await deployment.WaitUntilVisibleAsync(account, updatedJob, Visible);
        var updatedSendAt = Json.Now + 5;
        using var update = await account.Update(updatedJob, new JsonObject { ["subject"] = "After the update", ["send_at"] = updatedSendAt });
        var updateBody = await update.Content.ReadAsStringAsync();
        Assert.True((int)update.StatusCode == 200, $"PATCH answered {(int)update.StatusCode}: {updateBody}\n{deployment.Describe()}");
        var updated = JsonNode.Parse(updateBody)!;
        Assert.Equal("pending", updated.Str("status"));
        Assert.Equal("After the update", updated["original_data"]!.Str("subject"));
        Assert.Equal(updatedSendAt, updated["original_data"]!.Long("send_at"));

        // Scheduled a few seconds ahead (the durable scheduler fires it), and one to send now.
        var scheduledSendAt = Json.Now + 3;
        var scheduled = Json.Message("Scheduled");
        scheduled["send_at"] = scheduledSendAt;
        var scheduledJob = (await account.Send(scheduled)).Str("job_status_id");
        var immediateJob = (await account.Send(Json.Message("Immediate"))).Str("job_status_id");

        var jobs = await deployment.WaitForJobsAsync(account, [scheduledJob, immediateJob, updatedJob], "successful",
            TimeSpan.FromSeconds(120));

        var received = deployment.Smtp.Messages;
        var subjects = string.Join(", ", received.Select(m => $"'{m.Message.Subject}' at {m.ReceivedAt:HH:mm:ss.fff}"));
        foreach (var (jobId, subject, notBefore) in new[]
                 {
                     (scheduledJob, "Scheduled", scheduledSendAt),
                     (immediateJob, "Immediate", 0L),
                     (updatedJob, "After the update", updatedSendAt),
                 })
        {
            var messages = received.Where(m => m.Message.Subject == subject).ToList();
            Assert.True(messages.Count == 1, $"Expected '{subject}' once, the SMTP server received: {subjects}");
            var message = messages[0];
            Assert.True(message.ReceivedAt.ToUnixTimeSeconds() >= notBefore,
                $"'{subject}' arrived at {message.ReceivedAt.ToUnixTimeSeconds()}, before its send_at {notBefore}");
            // The sender decrypted the password the API encrypted: the two processes share one key ring.
            Assert.Equal(Deployment.SmtpUsername, message.AuthenticatedUser);
            Assert.Equal(["bob@example.com"], message.RcptTo);
            Assert.Equal(jobs[jobId]["metadata"]!.Str("message_id"), message.Message.MessageId);
        }
        Assert.True(received.Count == 3, $"Expected exactly the three messages, the SMTP server received: {subjects}");
        var cancelled = await account.GetJob(cancelledJob);
        Assert.Equal("cancelled", cancelled.Str("status"));
        Assert.Empty(cancelled["metadata"]!["attempts"]!.AsArray());
    }
}
