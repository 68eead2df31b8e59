using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Api.Tests.Webhooks;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Tracking;

/// <summary>A reader clicks a rewritten link: they land on the original, and the application hears <c>message.link_clicked</c>.</summary>
public sealed class When_a_tracked_link_is_followed
{
    [Fact]
    public async Task Should_redirect_to_the_original_url_and_post_message_link_clicked()
    {
        await using var app = await Tracking.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        await app.Subscribe(receiver, "message.link_clicked");
        var account = await app.ConnectAsync();
        var (jobId, html, received) = await app.SendAndReceive(account,
            Tracking.Message(new JsonObject { ["links"] = true, ["payload"] = "campaign-7" }));
        var links = Tracking.Links(html);
        using var reader = app.Reader();

        var offer = await reader.Follow(links[0]);
        var firstNotification = await receiver.WaitForNotificationAsync();
        var plain = await reader.Follow(links[1]);
        await reader.Follow(links[0]);
        var third = await receiver.WaitForNotificationAsync(n => n.Metadata()["recents"]!.AsArray().Count == 3);

        Assert.Equal(302, (int)offer.StatusCode);
        Assert.Equal("https://example.com/offer?a=1&b=2", offer.Headers.Location?.OriginalString);
        Assert.Equal("http://example.org/plain", plain.Headers.Location?.OriginalString);
        Assert.True(offer.Headers.CacheControl is { NoStore: true }, offer.Headers.CacheControl?.ToString());

        Assert.True(firstNotification.SignatureValid, receiver.Describe());
        var delta = firstNotification.Delta;
        Assert.Equal("message.link_clicked", delta.Str("type"));
        Assert.Equal("metadata", delta.Str("object"));
        Assert.Equal(jobId, delta["object_data"]!.Str("id"));
        var metadata = firstNotification.Metadata();
        Assert.Equal(["link_data", "message_id", "payload", "recents", "timestamp"], metadata.Keys());
        ApiAssertions.AssertSameJson(JsonNode.Parse("""[{"url":"https://example.com/offer?a=1&b=2","count":1}]"""), metadata["link_data"]);
        Assert.Equal(received.Message.MessageId, metadata.Str("message_id"));
        Assert.Equal("campaign-7", metadata.Str("payload"));
        var recent = Assert.Single(metadata["recents"]!.AsArray())!;
        Assert.Equal(["id", "ip", "link_index", "timestamp", "user_agent"], recent.Keys());
        Assert.Equal(0, recent["link_index"]!.GetValue<int>());
        Assert.Equal("127.0.0.1", recent.Str("ip"));
        Assert.Equal(Tracking.UserAgent, recent.Str("user_agent"));

        ApiAssertions.AssertSameJson(
            JsonNode.Parse("""[{"url":"https://example.com/offer?a=1&b=2","count":2},{"url":"http://example.org/plain","count":1}]"""),
            third.Metadata()["link_data"]);
        Assert.Equal([0, 1, 0], third.Metadata()["recents"]!.AsArray().Select(r => r!["link_index"]!.GetValue<int>()));
    }
}
