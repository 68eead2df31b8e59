using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Api.Tests.Webhooks;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Tracking;

/// <summary>A reply lands in the sender's IMAP inbox (a real Dovecot): the application hears <c>thread.replied</c>, once.</summary>
public sealed class When_a_tracked_message_gets_a_reply
{
    [Fact]
    public async Task Should_post_thread_replied_once()
    {
        await using var imap = await TestImapServer.StartAsync();
        await using var app = await Tracking.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        await app.Subscribe(receiver, "thread.replied");
        var account = await app.ConnectWithInboxAsync(imap);
        var (jobId, _, received) = await app.SendAndReceive(account,
            Tracking.Message(new JsonObject { ["thread_replies"] = true, ["payload"] = "campaign-7" }));
        var sentId = received.Message.MessageId!;

        await imap.DeliverAsync(Tracking.Reply("reply-1@example.com", sentId));
        var notification = await receiver.WaitForNotificationAsync();

        Assert.True(notification.SignatureValid, receiver.Describe());
        var delta = notification.Delta;
        Assert.Equal("thread.replied", delta.Str("type"));
        Assert.Equal("message", delta.Str("object"));
        var data = delta["object_data"]!;
        Assert.Equal("message", data.Str("object"));
        Assert.Equal(account.Id, data.Str("account_id"));
        Assert.Equal(jobId, data.Str("id"));
        var metadata = notification.Metadata();
        Assert.Equal(["from_self", "message_id", "payload", "reply_to_message_id", "thread_id", "timestamp"], metadata.Keys());
        Assert.False(metadata["from_self"]!.GetValue<bool>());
        Assert.Equal("reply-1@example.com", metadata.Str("message_id"));
        Assert.Equal(sentId, metadata.Str("reply_to_message_id"));
        Assert.Equal(jobId, metadata.Str("thread_id"));
        Assert.Equal("campaign-7", metadata.Str("payload"));
        ApiAssertions.AssertNear(Json.Now, metadata.Long("timestamp"), 10);

        // More mail, and polls after it: the poller reads past it, and the reply is still reported once. Once the mark
        // is past it, anything reported about it is stored; the short wait gives a (wrong) second post time to arrive.
        await imap.DeliverAsync(Tracking.Reply("unrelated@example.com", "someone-else@example.net"));
        await app.WaitForInboxMark(account.Id, 2);
        Assert.Equal(1, await app.ReportedReplies(account.Id));
        await Task.Delay(300);
        Assert.Single(receiver.Notifications);
    }
}
