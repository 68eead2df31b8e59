using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Outbox.Bus.Components.Webhooks;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Webhooks;

/// <summary>From a status change to signed posts: who gets a notification, and what it looks like.</summary>
public sealed class When_a_job_status_change_is_notified
{
    [Fact]
    public async Task Should_post_a_signed_notification_in_the_nylas_shape()
    {
        await using var host = await WebhookHost.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(WebhookHost.ClientSecret);
        var account = await host.AddAccountAsync();
        await host.AddSubscriptionAsync(receiver.Url, [WebhookTriggers.JobSuccessful]);

        var change = await host.ChangeStatus(account, "successful", messageId: "<abc@outbox.bus>");
        var notification = await receiver.WaitForNotificationAsync();

        Assert.Equal("application/json; charset=utf-8", notification.ContentType);
        Assert.True(notification.SignatureValid, receiver.Describe());
        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(WebhookHost.ClientSecret), notification.Body)),
            notification.Signature);
        var jobStatusId = PublicId.Format(change.JobId);
        var expected = new JsonObject
        {
            ["deltas"] = new JsonArray(new JsonObject
            {
                ["date"] = new DateTimeOffset(change.ChangedAt).ToUnixTimeSeconds(),
                ["object"] = "message",
                ["type"] = "job.successful",
                ["object_data"] = new JsonObject
                {
                    ["namespace_id"] = account.Id,
                    ["account_id"] = account.Id,
                    ["object"] = "message",
                    ["attributes"] = new JsonObject
                    {
                        ["action"] = "new_outbox",
                        ["job_status_id"] = jobStatusId,
                        ["message_id"] = "<abc@outbox.bus>",
                        ["extras"] = new JsonObject(),
                    },
                    ["id"] = jobStatusId,
                    ["metadata"] = new JsonObject
                    {
                        ["job_status_id"] = jobStatusId,
                        ["status"] = "successful",
                        ["message_id"] = "<abc@outbox.bus>",
                    },
                },
            }),
        };
        Assert.True(JsonNode.DeepEquals(expected, notification.Json), $"Expected {expected.ToJsonString()}\nActual   {notification.BodyText}");
        // Key order too: the body is written field by field, as DESIGN.md §5 lists them.
        Assert.Equal(expected.ToJsonString(), notification.BodyText);
    }

    [Fact]
    public async Task Should_notify_only_the_delivering_subscriptions_of_the_application_that_want_the_trigger()
    {
        await using var host = await WebhookHost.StartAsync();
        await using var wanted = await TestWebhookReceiver.StartAsync(WebhookHost.ClientSecret, "/wanted");
        await using var failing = await TestWebhookReceiver.StartAsync(WebhookHost.ClientSecret, "/failing");
        await using var unwanted = await TestWebhookReceiver.StartAsync(WebhookHost.ClientSecret, "/unwanted");
        var account = await host.AddAccountAsync();
        await host.AddSubscriptionAsync(wanted.Url, [WebhookTriggers.JobSuccessful, WebhookTriggers.JobFailed]);
        await host.AddSubscriptionAsync(failing.Url, [WebhookTriggers.JobFailed], WebhookStates.Failing);
        await host.AddSubscriptionAsync(unwanted.Url, [WebhookTriggers.JobSuccessful, WebhookTriggers.JobDelayed]);
        await host.AddSubscriptionAsync(unwanted.Url, [WebhookTriggers.JobFailed], WebhookStates.Inactive);
        await host.AddSubscriptionAsync(unwanted.Url, [WebhookTriggers.JobFailed], WebhookStates.Failed);
        await host.AddSubscriptionAsync(unwanted.Url, [WebhookTriggers.JobFailed], clientId: WebhookHost.OtherClientId);

        await host.ChangeStatus(account, "pending");
        var change = await host.ChangeStatus(account, "failed", reason: "Invalid authentication");
        var toWanted = await wanted.WaitForNotificationAsync();
        var toFailing = await failing.WaitForNotificationAsync();
        await Task.Delay(300);

        Assert.Empty(unwanted.Requests);
        Assert.Single(wanted.Notifications);
        Assert.Equal("job.failed", toWanted.Delta["type"]!.GetValue<string>());
        Assert.Equal("Invalid authentication", toWanted.Delta["object_data"]!["metadata"]!["reason"]!.GetValue<string>());
        Assert.Equal("Invalid authentication", toWanted.Delta["object_data"]!["attributes"]!["extras"]!["reason"]!.GetValue<string>());
        Assert.Equal(PublicId.Format(change.JobId), toWanted.Delta["object_data"]!["id"]!.GetValue<string>());
        Assert.Equal(toWanted.BodyText, toFailing.BodyText);
    }

    [Fact]
    public async Task Should_sign_with_the_secret_of_the_subscriptions_application()
    {
        await using var host = await WebhookHost.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(WebhookHost.OtherClientSecret);
        var account = await host.AddAccountAsync(WebhookHost.OtherClientId);
        await host.AddSubscriptionAsync(receiver.Url, [WebhookTriggers.JobCancelled], clientId: WebhookHost.OtherClientId);

        await host.ChangeStatus(account, "cancelled", reason: "Cancelled by the user");
        var notification = await receiver.WaitForNotificationAsync();

        Assert.True(notification.SignatureValid, receiver.Describe());
        Assert.Equal("job.cancelled", notification.Delta["type"]!.GetValue<string>());
    }
}
