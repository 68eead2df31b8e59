using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary>While the SMTP server holds the message at the end of DATA, the job can be neither cancelled nor updated.</summary>
public sealed class When_an_attempt_is_in_flight
{
    [Fact]
    public async Task Should_answer_409_to_cancel_and_update_then_finish_the_attempt()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        app.Smtp.RespondWith(_ =>
        {
            arrived.TrySetResult();
            release.Wait(TimeSpan.FromSeconds(4)); // under the fixture's 5 s SMTP command timeout
            return null;
        });
        var jobId = (await account.Send(Json.Message(subject: "In flight"))).Str("job_status_id");
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        HttpResponseMessage cancel, patch;
        try
        {
            cancel = await account.Cancel(jobId);
            patch = await account.Update("PATCH", jobId, new JsonObject { ["subject"] = "Changed", ["send_at"] = Json.Now + 600 });
        }
        finally
        {
            release.Set();
        }

        await cancel.AssertNylasError(409);
        await patch.AssertNylasError(409);
        var job = await account.WaitForStatus(jobId, "successful");
        Assert.Equal("In flight", job["original_data"]!.Str("subject"));
        Assert.Equal("In flight", Assert.Single(app.Smtp.Messages).Message.Subject);
    }
}
