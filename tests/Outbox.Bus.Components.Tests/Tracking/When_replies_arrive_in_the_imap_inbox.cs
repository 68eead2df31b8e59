using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Tracking;

/// <summary>The reply poller against a real IMAP server (Dovecot): which messages count as replies, and each only once.</summary>
public sealed class When_replies_arrive_in_the_imap_inbox
{
    [Fact]
    public async Task Should_report_a_reply_to_a_tracked_message_once()
    {
        await using var imap = await TestImapServer.StartAsync();
        using var data = new ReplyHost.SharedData();
        await using var host = await ReplyHost.StartAsync(data.Directory);
        var account = await host.AddAccountAsync(imap);
        var tracked = await host.AddTrackedMessageAsync(account);

        await imap.DeliverAsync(ReplyHost.Reply("reply-1@example.org", tracked.MessageId, [tracked.MessageId]));
        var reply = await host.WaitForReplyAsync("reply-1@example.org");

        Assert.Equal(tracked.JobId, reply.JobId);
        Assert.Equal(account.Id, reply.AccountId);
        Assert.Equal(tracked.MessageId, reply.ReplyToMessageId);
        Assert.False(reply.FromSelf);
        // Not reported again by the polls that follow: a later message is read, and still only one report.
        await imap.DeliverAsync(ReplyHost.Reply("unrelated@example.org", inReplyTo: null));
        await host.WaitForScanAsync(account.Id, 2);
        Assert.Single(host.Reported);
    }

    [Fact]
    public async Task Should_recognise_replies_by_references_and_ignore_other_mail()
    {
        await using var imap = await TestImapServer.StartAsync();
        using var data = new ReplyHost.SharedData();
        await using var host = await ReplyHost.StartAsync(data.Directory);
        var account = await host.AddAccountAsync(imap);
        var tracked = await host.AddTrackedMessageAsync(account);
        var untracked = $"{PublicId.Format(Guid.NewGuid())}@example.com";

        // Deeper in the thread: it answers someone else's reply, and names the tracked message only in References.
        await imap.DeliverAsync(ReplyHost.Reply("deep@example.org", "someone-else@example.net", [tracked.MessageId, "someone-else@example.net"]));
        await imap.DeliverAsync(ReplyHost.Reply("other-thread@example.org", untracked, [untracked]));
        await imap.DeliverAsync(ReplyHost.Reply("not-a-reply@example.org", inReplyTo: null));
        // The sender's own copy of the tracked message is not a reply to it.
        await imap.DeliverAsync(ReplyHost.Reply(tracked.MessageId, inReplyTo: null, from: "sender@example.com"));
        await imap.DeliverAsync(ReplyHost.Reply("self@example.com", tracked.MessageId, from: "Sender@Example.com"));
        await host.WaitForScanAsync(account.Id, 5);

        Assert.Equal(["deep@example.org", "self@example.com"], host.Reported.Select(r => r.MessageId).Order());
        Assert.All(host.Reported, r => Assert.Equal(tracked.JobId, r.JobId));
        Assert.False(host.Reported.Single(r => r.MessageId == "deep@example.org").FromSelf);
        Assert.True(host.Reported.Single(r => r.MessageId == "self@example.com").FromSelf);
    }

    [Fact]
    public async Task Should_not_report_a_reply_again_after_a_restart_that_forgot_how_far_it_had_read()
    {
        await using var imap = await TestImapServer.StartAsync();
        using var data = new ReplyHost.SharedData();
        string accountId;
        await using (var first = await ReplyHost.StartAsync(data.Directory))
        {
            var account = await first.AddAccountAsync(imap);
            accountId = account.Id;
            var tracked = await first.AddTrackedMessageAsync(account);
            await imap.DeliverAsync(ReplyHost.Reply("reply-1@example.org", tracked.MessageId));
            await first.WaitForReplyAsync("reply-1@example.org");
            await first.WaitForScanAsync(accountId, 1);
        }

        // As if the process stopped between reporting and moving its mark: the next one reads the inbox from the start.
        await data.ForgetMarksAsync();
        await using var second = await ReplyHost.StartAsync(data.Directory);
        await imap.DeliverAsync(ReplyHost.Reply("unrelated@example.org", inReplyTo: null));
        await second.WaitForScanAsync(accountId, 2);

        Assert.Empty(second.Reported);
    }

    [Fact]
    public async Task Should_find_replies_by_polling_when_the_server_has_no_idle()
    {
        await using var imap = await TestImapServer.StartAsync(idle: false);
        using var data = new ReplyHost.SharedData();
        await using var host = await ReplyHost.StartAsync(data.Directory);
        var account = await host.AddAccountAsync(imap);
        var tracked = await host.AddTrackedMessageAsync(account);
        // Let the poller connect and settle first, so the reply arrives while it waits rather than at its first read.
        await host.WaitForScanAsync(account.Id, 0);

        await imap.DeliverAsync(ReplyHost.Reply("polled@example.org", tracked.MessageId));
        var reply = await host.WaitForReplyAsync("polled@example.org");

        Assert.Equal(tracked.JobId, reply.JobId);
    }
}
