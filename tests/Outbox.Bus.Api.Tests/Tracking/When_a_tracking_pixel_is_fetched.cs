using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Api.Tests.Webhooks;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Tracking;

/// <summary>A reader's mail client loads the pixel: a real GIF comes back and the application hears <c>message.opened</c>.</summary>
public sealed class When_a_tracking_pixel_is_fetched
{
    [Fact]
    public async Task Should_answer_an_uncached_gif_and_post_message_opened_with_the_counts()
    {
        await using var app = await Tracking.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        await app.Subscribe(receiver, "message.opened");
        var account = await app.ConnectAsync();
        var (jobId, html, received) = await app.SendAndReceive(account,
            Tracking.Message(new JsonObject { ["opens"] = true, ["payload"] = "campaign-7" }));
        using var reader = app.Reader();

        var first = await reader.Follow(Tracking.PixelUrl(html));
        var firstNotification = await receiver.WaitForNotificationAsync();
        var second = await reader.Follow(Tracking.PixelUrl(html));
        var secondNotification = await receiver.WaitForNotificationAsync(n => n.Metadata()["count"]!.GetValue<int>() == 2);

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal("image/gif", first.Content.Headers.ContentType?.MediaType);
        var gif = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal("GIF89a"u8.ToArray(), gif[..6]);
        Assert.Equal(1, BitConverter.ToUInt16(gif, 6));
        Assert.Equal(1, BitConverter.ToUInt16(gif, 8));
        Assert.True(first.Headers.CacheControl is { NoStore: true, NoCache: true }, first.Headers.CacheControl?.ToString());

        Assert.True(firstNotification.SignatureValid, receiver.Describe());
        var delta = firstNotification.Delta;
        Assert.Equal(["date", "object", "object_data", "type"], delta.Keys());
        Assert.Equal("message.opened", delta.Str("type"));
        Assert.Equal("metadata", delta.Str("object"));
        ApiAssertions.AssertNear(Json.Now, delta.Long("date"), 10);
        var data = delta["object_data"]!;
        Assert.Equal(["account_id", "attributes", "id", "metadata", "namespace_id", "object"], data.Keys());
        Assert.Equal(account.Id, data.Str("account_id"));
        Assert.Equal(account.Id, data.Str("namespace_id"));
        Assert.Equal("metadata", data.Str("object"));
        Assert.Null(data["attributes"]);
        Assert.Equal(jobId, data.Str("id"));
        var metadata = firstNotification.Metadata();
        Assert.Equal(["count", "message_id", "payload", "recents", "timestamp"], metadata.Keys());
        Assert.Equal(1, metadata["count"]!.GetValue<int>());
        Assert.Equal(received.Message.MessageId, metadata.Str("message_id"));
        Assert.Equal("campaign-7", metadata.Str("payload"));
        var recent = Assert.Single(metadata["recents"]!.AsArray())!;
        Assert.Equal(["id", "ip", "timestamp", "user_agent"], recent.Keys());
        Assert.Equal(0, recent["id"]!.GetValue<int>());
        Assert.Equal("127.0.0.1", recent.Str("ip"));
        Assert.Equal(Tracking.UserAgent, recent.Str("user_agent"));
        ApiAssertions.AssertNear(Json.Now, recent.Long("timestamp"), 10);

        Assert.Equal(200, (int)second.StatusCode);
        var recents = secondNotification.Metadata()["recents"]!.AsArray();
        Assert.Equal([0, 1], recents.Select(r => r!["id"]!.GetValue<int>()));
        Assert.Equal(metadata.Long("timestamp"), secondNotification.Metadata().Long("timestamp"));
        Assert.Equal(2, receiver.Notifications.Count);
    }
}
