using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary><c>GET /job-statuses/{id}</c>: the Nylas job status of DESIGN.md §5.</summary>
public sealed class When_a_job_status_is_read
{
    [Fact]
    public async Task Should_show_a_pending_job_in_the_nylas_shape()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync("sender@example.com", "Sender");
        var sendAt = Json.Now + 600;
        var message = Json.Message(subject: "Status");
        message["send_at"] = sendAt;
        message["retry_limit_datetime"] = sendAt + 3600;
        var before = Json.Now;
        var accepted = await account.Send(message);
        var jobId = accepted.Str("job_status_id");

        var job = await account.GetJob(jobId);

        Assert.Equal(
            ["account_id", "action", "created_at", "id", "job_status_id", "metadata", "object", "original_data",
             "original_send_at", "retry_limit_datetime", "send_at", "status"],
            job.Keys());
        Assert.Equal(account.Id, job.Str("account_id"));
        Assert.Equal("new_outbox", job.Str("action"));
        Assert.InRange(job.Long("created_at"), before - 1, Json.Now + 1);
        Assert.Equal(jobId, job.Str("id"));
        Assert.Equal(jobId, job.Str("job_status_id"));
        Assert.Equal("message", job.Str("object"));
        Assert.Equal("pending", job.Str("status"));
        Assert.Equal(sendAt, job.Long("send_at"));
        Assert.Equal(sendAt, job.Long("original_send_at"));
        Assert.Equal(sendAt + 3600, job.Long("retry_limit_datetime"));
        ApiAssertions.AssertSameJson(accepted["original_data"], job["original_data"]);
        Assert.Equal("Status", job["original_data"]!.Str("subject"));
        Assert.Equal(["attempts"], job["metadata"].Keys());
        Assert.Empty(job["metadata"]!["attempts"]!.AsArray());
    }

    [Fact]
    public async Task Should_show_the_attempt_and_message_id_once_sent()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var before = Json.Now;
        var jobId = (await account.Send(Json.Message())).Str("job_status_id");

        var job = await account.WaitForStatus(jobId, "successful");

        var received = Assert.Single(app.Smtp.Messages);
        Assert.False(job.ContainsKey("reason"));
        Assert.Equal(received.Message.MessageId, job["metadata"]!.Str("message_id"));
        Assert.Equal($"<{received.Message.MessageId}>", job.Str("message_id"));
        var attempt = Assert.Single(job["metadata"]!["attempts"]!.AsArray())!;
        Assert.Equal(1, attempt.Long("attempt"));
        Assert.InRange(attempt.Long("at"), before - 1, Json.Now + 1);
        Assert.Equal("smtp", attempt.Str("route"));
        Assert.Equal("sent", attempt.Str("outcome"));
        Assert.Contains(received.QueueId, attempt.Str("reply"));
    }
}
