using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary><c>DELETE /v2/outbox/{id}</c>: accepted while no attempt has succeeded.</summary>
public sealed class When_a_scheduled_message_is_cancelled
{
    [Fact]
    public async Task Should_answer_200_with_the_cancelled_job_and_never_deliver_it()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var sendAt = Json.Now + 2;
        var cancelled = Json.Message(subject: "Cancelled");
        cancelled["send_at"] = sendAt;
        var jobId = (await account.Send(cancelled)).Str("job_status_id");
        // A control message due a second later: once it has arrived, the cancelled one had its chance too.
        var control = Json.Message(subject: "Control");
        control["send_at"] = sendAt + 1;
        var controlId = (await account.Send(control)).Str("job_status_id");

        var response = await account.Cancel(jobId);

        Assert.True((int)response.StatusCode == 200, await response.Content.ReadAsStringAsync());
        var job = await response.ReadObject();
        Assert.Equal(jobId, job.Str("job_status_id"));
        Assert.Equal(jobId, job.Str("id"));
        Assert.Equal("message", job.Str("object"));
        Assert.Equal("cancelled", job.Str("status"));
        Assert.False(string.IsNullOrWhiteSpace(job.Str("reason")));
        Assert.Equal(sendAt, job.Long("send_at"));
        Assert.Equal("Cancelled", job["original_data"]!.Str("subject"));

        var arrived = await app.Smtp.WaitForMessageAsync(timeout: TimeSpan.FromSeconds(15));
        await account.WaitForStatus(controlId, "successful");
        Assert.Equal("Control", arrived.Message.Subject);
        Assert.True(Json.Now > sendAt, "the cancelled job's send_at has passed");
        Assert.DoesNotContain(app.Smtp.Messages, m => m.Message.Subject == "Cancelled");
        var after = await account.GetJob(jobId);
        Assert.Equal("cancelled", after.Str("status"));
        Assert.Equal(job.Str("reason"), after.Str("reason"));
        Assert.Empty(after["metadata"]!["attempts"]!.AsArray());
    }

    [Fact]
    public async Task Should_answer_200_both_times_when_cancelled_twice()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message["send_at"] = Json.Now + 600;
        var jobId = (await account.Send(message)).Str("job_status_id");

        var first = await account.Cancel(jobId);
        var second = await account.Cancel(jobId);

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(200, (int)second.StatusCode);
        var firstJob = await first.ReadObject();
        var secondJob = await second.ReadObject();
        Assert.Equal("cancelled", firstJob.Str("status"));
        Assert.Equal("cancelled", secondJob.Str("status"));
        ApiAssertions.AssertSameJson(firstJob, secondJob);
    }

    [Fact]
    public async Task Should_answer_409_once_the_message_was_sent()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var jobId = (await account.Send(Json.Message())).Str("job_status_id");
        var before = await account.WaitForStatus(jobId, "successful");

        var response = await account.Cancel(jobId);

        await response.AssertNylasError(409);
        ApiAssertions.AssertSameJson(before, await account.GetJob(jobId));
        Assert.Single(app.Smtp.Messages);
    }

    [Fact]
    public async Task Should_refuse_to_update_a_cancelled_job()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message["send_at"] = Json.Now + 600;
        var jobId = (await account.Send(message)).Str("job_status_id");
        Assert.Equal(200, (int)(await account.Cancel(jobId)).StatusCode);
        var before = await account.GetJob(jobId);

        var response = await account.Update("PATCH", jobId,
            new System.Text.Json.Nodes.JsonObject { ["subject"] = "Revived", ["send_at"] = Json.Now + 1200 });

        await response.AssertNylasError(409);
        ApiAssertions.AssertSameJson(before, await account.GetJob(jobId));
    }
}
