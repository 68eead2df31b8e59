using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Webhooks;

/// <summary>End to end: a job sent through the API, its status changes posted to the application's webhooks.</summary>
public sealed class When_job_notifications_are_delivered
{
    [Fact]
    public async Task Should_post_job_successful_signed_with_the_client_secret_once_the_message_is_sent()
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        await app.Subscribe(receiver, "job.successful");
        var account = await app.ConnectAsync();

        var jobId = (await account.Send(Json.Message(subject: "Notify me"))).Str("job_status_id");
        var notification = await receiver.WaitForNotificationAsync();
        var job = await account.WaitForStatus(jobId, "successful");

        Assert.Equal("Notify me", (await app.Smtp.WaitForMessageAsync()).Message.Subject);
        Assert.True(notification.SignatureValid, receiver.Describe());
        Assert.Matches("^[0-9a-f]{64}$", notification.Signature);
        Assert.Equal("application/json; charset=utf-8", notification.ContentType);
        Assert.Equal(["deltas"], notification.Json.Keys());
        var delta = notification.Delta;
        Assert.Equal(["date", "object", "object_data", "type"], delta.Keys());
        Assert.Equal("message", delta.Str("object"));
        Assert.Equal("job.successful", delta.Str("type"));
        ApiAssertions.AssertNear(Json.Now, delta.Long("date"), 10);
        var data = delta["object_data"]!;
        Assert.Equal(["account_id", "attributes", "id", "metadata", "namespace_id", "object"], data.Keys());
        Assert.Equal(account.Id, data.Str("account_id"));
        Assert.Equal(account.Id, data.Str("namespace_id"));
        Assert.Equal("message", data.Str("object"));
        Assert.Equal(jobId, data.Str("id"));
        var metadata = data["metadata"]!;
        Assert.Equal(["job_status_id", "message_id", "status"], metadata.Keys());
        Assert.Equal(jobId, metadata.Str("job_status_id"));
        Assert.Equal("successful", metadata.Str("status"));
        Assert.Equal(job["metadata"]!.Str("message_id"), metadata.Str("message_id"));
        var attributes = data["attributes"]!;
        Assert.Equal(jobId, attributes.Str("job_status_id"));
        Assert.Equal("new_outbox", attributes.Str("action"));
        Assert.Equal(job.Long("send_at"), attributes["extras"]!.Long("send_at"));
        Assert.Single(receiver.Notifications);
    }

    [Fact]
    public async Task Should_post_job_failed_with_the_reason()
    {
        await using var app = await Webhooks.StartAsync(smtp: new TestSmtpServerOptions { Username = "mailer", Password = "right-password" });
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        await app.Subscribe(receiver, "job.successful", "job.failed");
        var account = await app.ConnectAsync(smtpUsername: "mailer", smtpPassword: "wrong-password");

        var jobId = (await account.Send(Json.Message())).Str("job_status_id");
        var notification = await receiver.WaitForNotificationAsync();

        Assert.True(notification.SignatureValid);
        Assert.Equal("job.failed", notification.Delta.Str("type"));
        var metadata = notification.Delta["object_data"]!["metadata"]!;
        Assert.Equal(jobId, metadata.Str("job_status_id"));
        Assert.Equal("failed", metadata.Str("status"));
        Assert.Equal("Invalid authentication", metadata.Str("reason"));
        Assert.Null(metadata["message_id"]);
        Assert.Equal("Invalid authentication", notification.Delta["object_data"]!["attributes"]!["extras"]!.Str("reason"));
    }

    [Fact]
    public async Task Should_post_job_cancelled_for_a_cancelled_job()
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        await app.Subscribe(receiver, "job.cancelled");
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message["send_at"] = Json.Now + 600;
        var jobId = (await account.Send(message)).Str("job_status_id");

        var cancelled = await account.Cancel(jobId);
        var notification = await receiver.WaitForNotificationAsync();

        Assert.Equal(200, (int)cancelled.StatusCode);
        Assert.Equal("job.cancelled", notification.Delta.Str("type"));
        var metadata = notification.Delta["object_data"]!["metadata"]!;
        Assert.Equal(jobId, metadata.Str("job_status_id"));
        Assert.Equal("cancelled", metadata.Str("status"));
        Assert.Equal((await cancelled.ReadObject()).Str("reason"), metadata.Str("reason"));
        Assert.True(notification.SignatureValid);
    }

    [Fact]
    public async Task Should_post_nothing_for_triggers_not_subscribed_or_to_inactive_webhooks()
    {
        await using var app = await Webhooks.StartAsync();
        await using var otherTriggers = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret, "/other-triggers");
        await using var inactive = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret, "/inactive");
        await using var control = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret, "/control");
        await app.Subscribe(otherTriggers, "job.failed", "job.delayed", "job.cancelled");
        var inactiveId = await app.Subscribe(inactive, "job.successful");
        using (var client = app.Management())
            Assert.Equal(200, (int)(await client.Put(inactiveId, new System.Text.Json.Nodes.JsonObject { ["state"] = "inactive" })).StatusCode);
        await app.Subscribe(control, "job.successful");
        var account = await app.ConnectAsync();

        var jobId = (await account.Send(Json.Message())).Str("job_status_id");
        await account.WaitForStatus(jobId, "successful");
        // The control webhook's notification left together with the others' (none): once it is in, nothing else is coming.
        await control.WaitForNotificationAsync();
        await Task.Delay(300);

        Assert.Empty(otherTriggers.Notifications);
        Assert.Empty(inactive.Notifications);
    }
}
