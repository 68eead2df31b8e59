using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Webhooks;

/// <summary>Failed deliveries are retried with growing delays; the log and the webhook's state show how it went.</summary>
public sealed class When_a_webhook_delivery_is_retried
{
    [Fact]
    public async Task Should_retry_after_errors_and_show_every_attempt_in_the_delivery_log()
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        var id = await app.Subscribe(receiver, "job.successful");
        receiver.RespondTimes(2, 500);
        var account = await app.ConnectAsync();

        await account.Send(Json.Message());
        var posts = await receiver.WaitForNotificationsAsync(3);
        var log = await app.WaitForDeliveries(id, 3);
        var page = await app.Deliveries(id, "?limit=1&offset=1");

        Assert.Equal([500, 500, 200], posts.Select(p => p.Status));
        Assert.All(posts, p => Assert.Equal(posts[0].BodyText, p.BodyText));
        Assert.All(posts, p => Assert.True(p.SignatureValid));
        Assert.True(posts[1].ReceivedAt - posts[0].ReceivedAt >= TimeSpan.FromMilliseconds(180), receiver.Describe());
        Assert.True(posts[2].ReceivedAt - posts[1].ReceivedAt >= TimeSpan.FromMilliseconds(280), receiver.Describe());

        Assert.Equal(3, log.Count);
        Assert.Equal([3L, 2L, 1L], log.Select(a => a!.Long("attempt")));
        Assert.Equal(["delivered", "failed", "failed"], log.Select(a => a!.Str("outcome")));
        Assert.Equal([200L, 500L, 500L], log.Select(a => a!.Long("status_code")));
        Assert.All(log, a => Assert.Equal("job.successful", a!.Str("trigger")));
        Assert.All(log, a => Assert.Null(a!["error"]));
        Assert.All(log, a => Assert.True(a!.Long("latency_ms") >= 0));
        Assert.All(log, a => ApiAssertions.AssertNear(Json.Now, a!.Long("attempted_at"), 15));
        Assert.Single(log.Select(a => a!.Str("delivery_id")).Distinct());
        Assert.Equal(log[1]!.Long("id"), Assert.Single(page)!.Long("id"));
        Assert.Equal("active", (await app.GetWebhook(id)).Str("state"));
    }

    [Fact]
    public async Task Should_make_the_webhook_inactive_without_retrying_when_the_receiver_answers_gone()
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        var id = await app.Subscribe(receiver, "job.successful");
        receiver.RespondWith(410);
        var account = await app.ConnectAsync();

        await account.Send(Json.Message());
        await app.WaitForWebhookState(id, "inactive");
        await Task.Delay(500);

        Assert.Single(receiver.Notifications);
        var attempt = Assert.Single(await app.Deliveries(id))!;
        Assert.Equal("gone", attempt.Str("outcome"));
        Assert.Equal(410, attempt.Long("status_code"));
    }

    [Fact]
    public async Task Should_count_a_receiver_slower_than_the_timeout_as_a_failed_attempt()
    {
        await using var app = await Webhooks.StartAsync(new Dictionary<string, string?> { ["Webhooks:Timeout"] = "00:00:00.500" });
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        var id = await app.Subscribe(receiver, "job.successful");
        receiver.RespondOnceWith(200, delay: TimeSpan.FromSeconds(5));
        var account = await app.ConnectAsync();

        await account.Send(Json.Message());
        var log = await app.WaitForDeliveries(id, 2);

        var (retry, slow) = (log[0]!, log[1]!);
        Assert.Equal("failed", slow.Str("outcome"));
        Assert.Null(slow["status_code"]);
        Assert.Contains("No answer within 0.5 s", slow.Str("error"));
        Assert.InRange(slow.Long("latency_ms"), 450, 4000);
        Assert.Equal("delivered", retry.Str("outcome"));
        Assert.Equal(2, retry.Long("attempt"));
    }

    [Fact]
    public async Task Should_show_the_webhook_failing_after_repeated_failures()
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        var id = await app.Subscribe(receiver, "job.successful");
        receiver.RespondWith(500);
        var account = await app.ConnectAsync();

        await account.Send(Json.Message());
        var webhook = await app.WaitForWebhookState(id, "failing");

        Assert.True(receiver.Notifications.Count >= 3, receiver.Describe());
        Assert.Equal(id, webhook.Str("id"));
    }
}
