using Outbox.Bus.Components.Webhooks;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Webhooks;

/// <summary>Retries as scheduled messages, the delivery log, and the subscription states deliveries lead to.</summary>
public sealed class When_a_webhook_delivery_fails
{
    [Fact]
    public async Task Should_retry_with_the_configured_delays_until_the_receiver_accepts()
    {
        await using var host = await WebhookHost.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(WebhookHost.ClientSecret);
        receiver.RespondTimes(2, 500);
        var account = await host.AddAccountAsync();
        var subscription = await host.AddSubscriptionAsync(receiver.Url, [WebhookTriggers.JobSuccessful]);

        await host.ChangeStatus(account, "successful");
        var posts = await receiver.WaitForNotificationsAsync(3);
        var log = await Eventually(() => host.DeliveryLogAsync(subscription.Id), l => l.Count == 3);

        Assert.Equal([500, 500, 200], posts.Select(p => p.Status));
        Assert.All(posts, p => Assert.Equal(posts[0].BodyText, p.BodyText));
        Assert.All(posts, p => Assert.True(p.SignatureValid));
        // The configured delays (200 ms, then 300 ms) separate the attempts.
        Assert.True(posts[1].ReceivedAt - posts[0].ReceivedAt >= TimeSpan.FromMilliseconds(180), receiver.Describe());
        Assert.True(posts[2].ReceivedAt - posts[1].ReceivedAt >= TimeSpan.FromMilliseconds(280), receiver.Describe());

        Assert.Equal([3, 2, 1], log.Select(a => a.Attempt));
        Assert.Equal([WebhookOutcomes.Delivered, WebhookOutcomes.Failed, WebhookOutcomes.Failed], log.Select(a => a.Outcome));
        Assert.Equal([200, 500, 500], log.Select(a => a.StatusCode));
        Assert.Single(log.Select(a => a.DeliveryId).Distinct());
        Assert.All(log, a => Assert.Equal(WebhookTriggers.JobSuccessful, a.Trigger));
        Assert.Equal(WebhookStates.Active, (await host.ReadSubscriptionAsync(subscription.Id)).State);
    }

    [Fact]
    public async Task Should_make_the_subscription_inactive_without_retrying_when_the_receiver_answers_gone()
    {
        await using var host = await WebhookHost.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(WebhookHost.ClientSecret);
        receiver.RespondWith(410);
        var account = await host.AddAccountAsync();
        var subscription = await host.AddSubscriptionAsync(receiver.Url, [WebhookTriggers.JobSuccessful]);

        await host.ChangeStatus(account, "successful");
        await host.WaitForStateAsync(subscription.Id, WebhookStates.Inactive);
        await host.ChangeStatus(account, "successful");
        await Task.Delay(600);

        Assert.Single(receiver.Notifications);
        var attempt = Assert.Single(await host.DeliveryLogAsync(subscription.Id));
        Assert.Equal(WebhookOutcomes.Gone, attempt.Outcome);
        Assert.Equal(410, attempt.StatusCode);
    }

    [Fact]
    public async Task Should_count_a_receiver_slower_than_the_timeout_as_a_failure()
    {
        await using var host = await WebhookHost.StartAsync(new Dictionary<string, string?> { ["Webhooks:Timeout"] = "00:00:00.500" });
        await using var receiver = await TestWebhookReceiver.StartAsync(WebhookHost.ClientSecret);
        receiver.RespondOnceWith(200, delay: TimeSpan.FromSeconds(5));
        var account = await host.AddAccountAsync();
        var subscription = await host.AddSubscriptionAsync(receiver.Url, [WebhookTriggers.JobDelayed]);

        await host.ChangeStatus(account, "delayed", reason: "451 4.3.0 Try again later");
        await receiver.WaitForNotificationsAsync(2);
        var log = await Eventually(() => host.DeliveryLogAsync(subscription.Id), l => l.Count == 2);

        var (retry, slow) = (log[0], log[1]);
        Assert.Equal(WebhookOutcomes.Failed, slow.Outcome);
        Assert.Null(slow.StatusCode);
        Assert.Contains("No answer within 0.5 s", slow.Error);
        Assert.InRange(slow.LatencyMs, 450, 3000);
        Assert.Equal(WebhookOutcomes.Delivered, retry.Outcome);
        Assert.Equal(2, retry.Attempt);
    }

    [Fact]
    public async Task Should_mark_the_subscription_failing_after_repeated_failures_and_active_after_a_success()
    {
        await using var host = await WebhookHost.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(WebhookHost.ClientSecret);
        receiver.RespondWith(503);
        var account = await host.AddAccountAsync();
        var subscription = await host.AddSubscriptionAsync(receiver.Url, [WebhookTriggers.JobSuccessful]);

        await host.ChangeStatus(account, "successful");
        await host.WaitForStateAsync(subscription.Id, WebhookStates.Failing);
        var failedAttempts = (await host.DeliveryLogAsync(subscription.Id)).Count;
        receiver.ClearResponses();
        await host.WaitForStateAsync(subscription.Id, WebhookStates.Active);

        // Three of the last five attempts failed (a fourth may have followed before the log was read); failing
        // subscriptions are still delivered to.
        Assert.InRange(failedAttempts, 3, 4);
        Assert.Equal(200, receiver.Notifications[^1].Status);
    }

    [Fact]
    public async Task Should_mark_the_subscription_failed_and_stop_when_the_retry_window_closes()
    {
        await using var host = await WebhookHost.StartAsync(new Dictionary<string, string?>
        {
            ["Webhooks:RetryWindow"] = "00:00:01.500",
            ["Webhooks:RetryDelays:0"] = "00:00:00.100",
            ["Webhooks:RetryDelays:1"] = "00:00:00.100",
            ["Webhooks:RetryDelays:2"] = "00:00:00.100",
        });
        await using var receiver = await TestWebhookReceiver.StartAsync(WebhookHost.ClientSecret);
        receiver.RespondWith(500);
        var account = await host.AddAccountAsync();
        var subscription = await host.AddSubscriptionAsync(receiver.Url, [WebhookTriggers.JobSuccessful]);

        await host.ChangeStatus(account, "successful");
        await host.WaitForStateAsync(subscription.Id, WebhookStates.Failed);
        var attempts = receiver.Notifications.Count;
        await host.ChangeStatus(account, "successful");
        await Task.Delay(800);

        // Retried (every 100 ms), and none after the 1.5 s window: at most the first attempt and 15 waits fit in it.
        Assert.InRange(attempts, 2, 16);
        Assert.Equal(attempts, receiver.Notifications.Count);
        Assert.All(await host.DeliveryLogAsync(subscription.Id), a => Assert.Equal(WebhookOutcomes.Failed, a.Outcome));
    }

    [Fact]
    public async Task Should_drop_the_pending_retries_of_a_subscription_that_was_made_inactive()
    {
        await using var host = await WebhookHost.StartAsync(new Dictionary<string, string?> { ["Webhooks:RetryDelays:0"] = "00:00:00.500" });
        await using var receiver = await TestWebhookReceiver.StartAsync(WebhookHost.ClientSecret);
        receiver.RespondWith(500);
        var account = await host.AddAccountAsync();
        var subscription = await host.AddSubscriptionAsync(receiver.Url, [WebhookTriggers.JobSuccessful]);

        await host.ChangeStatus(account, "successful");
        await receiver.WaitForNotificationAsync();
        await host.SetStateAsync(subscription.Id, WebhookStates.Inactive);
        await Task.Delay(1000);

        Assert.Single(receiver.Notifications);
    }

    static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
                return value;
            await Task.Delay(20);
        }
    }
}
