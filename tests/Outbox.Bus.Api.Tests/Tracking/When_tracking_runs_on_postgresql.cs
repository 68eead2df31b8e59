using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Api.Tests.Webhooks;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Tracking;

/// <summary>The same tracking on the production database's sibling (the other tests run on SQLite): every query and the
/// reply bookkeeping must work on PostgreSQL too.</summary>
public sealed class When_tracking_runs_on_postgresql
{
    [Fact]
    public async Task Should_notify_opens_clicks_and_replies()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var imap = await TestImapServer.StartAsync();
        await using var app = await Tracking.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:OutboxBus"] = database.ConnectionString,
        });
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        await app.Subscribe(receiver, "message.opened", "message.link_clicked", "thread.replied");
        var account = await app.ConnectWithInboxAsync(imap);
        var (jobId, html, received) = await app.SendAndReceive(account,
            Tracking.Message(new JsonObject { ["opens"] = true, ["links"] = true, ["thread_replies"] = true, ["payload"] = "pg" }));
        using var reader = app.Reader();

        Assert.Equal(200, (int)(await reader.Follow(Tracking.PixelUrl(html))).StatusCode);
        Assert.Equal(302, (int)(await reader.Follow(Tracking.Links(html)[1])).StatusCode);
        await imap.DeliverAsync(Tracking.Reply("reply-pg@example.com", received.Message.MessageId!));
        var notifications = await receiver.WaitForNotificationsAsync(3);

        var byType = notifications.ToDictionary(n => n.Delta.Str("type"));
        Assert.Equal(1, byType["message.opened"].Metadata()["count"]!.GetValue<int>());
        ApiAssertions.AssertSameJson(JsonNode.Parse("""[{"url":"http://example.org/plain","count":1}]"""),
            byType["message.link_clicked"].Metadata()["link_data"]);
        Assert.Equal(1, byType["message.link_clicked"].Metadata()["recents"]![0]!["link_index"]!.GetValue<int>());
        Assert.Equal("reply-pg@example.com", byType["thread.replied"].Metadata().Str("message_id"));
        Assert.All(notifications, n => Assert.Equal(jobId, n.Delta["object_data"]!.Str("id")));
        Assert.All(notifications, n => Assert.Equal("pg", n.Metadata().Str("payload")));
    }
}
