using Outbox.Bus.Components.Delivery;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Fallback;

public sealed class When_a_message_is_sent_through_sendgrid
{
    static async Task<(FallbackHost Host, TestSendGridServer SendGrid, DeliverViaFallback Delivery, TestSendGridMessage Received, MessageSent Sent)> SendOne()
    {
        var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        var host = await FallbackHost.StartAsync(sendGrid);
        var account = await host.AddAccountAsync();
        var delivery = FallbackHost.Delivery(account.Id);

        await host.Deliver(delivery);
        var sent = await host.WaitForSent(delivery);
        var received = await sendGrid.WaitForMessageAsync();
        return (host, sendGrid, delivery, received, sent);
    }

    [Fact]
    public async Task Should_put_to_cc_and_bcc_in_one_personalization()
    {
        var (host, sendGrid, _, received, _) = await SendOne();
        await using var _h = host;
        await using var _s = sendGrid;

        Assert.Single(received.Body["personalizations"]!.AsArray());
        Assert.Equal(["bob@example.com"], received.To);
        Assert.Equal(["carol@example.com"], received.Cc);
        Assert.Equal(["dave@example.com"], received.Bcc);
        Assert.Equal("Bob", received.Body["personalizations"]![0]!["to"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Should_carry_from_reply_to_and_subject()
    {
        var (host, sendGrid, _, received, _) = await SendOne();
        await using var _h = host;
        await using var _s = sendGrid;

        Assert.Equal("sender@example.com", received.FromEmail);
        Assert.Equal("Sender", received.FromName);
        Assert.Equal("replies@example.com", received.ReplyTo);
        Assert.Equal("Hello", received.Subject);
    }

    [Fact]
    public async Task Should_send_the_plain_text_before_the_html()
    {
        var (host, sendGrid, _, received, _) = await SendOne();
        await using var _h = host;
        await using var _s = sendGrid;

        Assert.Equal([("text/plain", "Hello Bob"), ("text/html", "<p>Hello <b>Bob</b></p>")], received.Contents);
    }

    [Fact]
    public async Task Should_carry_the_job_message_id_and_job_status_id()
    {
        var (host, sendGrid, delivery, received, _) = await SendOne();
        await using var _h = host;
        await using var _s = sendGrid;

        Assert.Equal($"<{delivery.MessageId}>", received.Headers["Message-ID"]);
        Assert.Equal(PublicId.Format(delivery.JobId), received.Headers[MimeMessages.JobHeader]);
        Assert.Equal(PublicId.Format(delivery.JobId), received.CustomArgs["job_status_id"]);
    }

    [Fact]
    public async Task Should_authenticate_with_the_configured_api_key()
    {
        var (host, sendGrid, _, _, _) = await SendOne();
        await using var _h = host;
        await using var _s = sendGrid;

        var mailSend = Assert.Single(sendGrid.Requests, r => r.Path == TestSendGridServer.MailSendPath);
        Assert.Equal($"Bearer {sendGrid.ApiKey}", mailSend.Authorization);
        Assert.Equal(202, mailSend.Status);
    }

    [Fact]
    public async Task Should_report_message_sent_over_sendgrid_with_the_x_message_id()
    {
        var (host, sendGrid, delivery, received, sent) = await SendOne();
        await using var _h = host;
        await using var _s = sendGrid;

        Assert.Equal(delivery.JobId, sent.JobId);
        Assert.Equal(delivery.Attempt, sent.Attempt);
        Assert.Equal(delivery.MessageId, sent.MessageId);
        Assert.Equal("sendgrid", sent.Route);
        Assert.Equal(received.MessageId, sent.Reply);
        Assert.Empty(host.Harness.Published.Select<MessageDeliveryFailed>(new CancellationToken(true)));
    }
}
