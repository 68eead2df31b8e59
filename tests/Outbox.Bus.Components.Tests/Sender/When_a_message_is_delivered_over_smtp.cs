using MimeKit;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Sender;

public sealed class When_a_message_is_delivered_over_smtp
{
    static async Task<(SenderHost Host, TestSmtpServer Smtp, DeliverMessage Delivery, ReceivedMessage Received, MessageSent Sent)> DeliverOne()
    {
        var smtp = await TestSmtpServer.StartAsync();
        var host = await SenderHost.StartAsync();
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port);
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var sent = await host.WaitForSent(delivery);
        var received = await smtp.WaitForMessageAsync();
        return (host, smtp, delivery, received, sent);
    }

    [Fact]
    public async Task Should_send_to_every_recipient_in_the_envelope_without_a_bcc_header()
    {
        var (host, smtp, _, received, _) = await DeliverOne();
        await using var _h = host;
        await using var _s = smtp;

        Assert.Equal("sender@example.com", received.MailFrom);
        Assert.Equal(["bob@example.com", "carol@example.com", "dave@example.com"], received.RcptTo.Order());
        Assert.DoesNotContain(received.Message.Headers, h => h.Id == HeaderId.Bcc);
        Assert.DoesNotContain("dave@example.com", System.Text.Encoding.UTF8.GetString(received.Raw), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["bob@example.com"], received.Message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal(["carol@example.com"], received.Message.Cc.Mailboxes.Select(m => m.Address));
    }

    [Fact]
    public async Task Should_carry_the_job_message_id_reply_to_and_subject()
    {
        var (host, smtp, delivery, received, _) = await DeliverOne();
        await using var _h = host;
        await using var _s = smtp;

        Assert.Equal(delivery.MessageId, received.Message.MessageId);
        Assert.Equal(["replies@example.com"], received.Message.ReplyTo.Mailboxes.Select(m => m.Address));
        Assert.Equal("Hello", received.Message.Subject);
        Assert.Equal(["sender@example.com"], received.Message.From.Mailboxes.Select(m => m.Address));
        Assert.Equal(PublicId.Format(delivery.JobId), received.Message.Headers["X-Outbox-Bus-Job"]);
    }

    [Fact]
    public async Task Should_send_a_plain_text_alternative_and_the_html()
    {
        var (host, smtp, _, received, _) = await DeliverOne();
        await using var _h = host;
        await using var _s = smtp;

        var alternative = Assert.IsType<MultipartAlternative>(received.Message.Body);
        Assert.Contains(alternative, part => part.ContentType.IsMimeType("text", "plain"));
        Assert.Contains(alternative, part => part.ContentType.IsMimeType("text", "html"));
        Assert.Equal("Hello Bob", received.Message.TextBody?.Trim());
        Assert.Equal("<p>Hello <b>Bob</b></p>", received.Message.HtmlBody);
    }

    [Fact]
    public async Task Should_report_message_sent_over_smtp_with_the_server_reply()
    {
        var (host, smtp, delivery, received, sent) = await DeliverOne();
        await using var _h = host;
        await using var _s = smtp;

        Assert.Equal(delivery.JobId, sent.JobId);
        Assert.Equal(1, sent.Attempt);
        Assert.Equal(delivery.MessageId, sent.MessageId);
        Assert.Equal("smtp", sent.Route);
        Assert.Contains(received.QueueId, sent.Reply);
        Assert.Single(smtp.Messages);
        Assert.Empty(host.Harness.Published.Select<MessageDeliveryFailed>(new CancellationToken(true)));
    }
}
