using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Fallback;

/// <summary>Messages SMTP takes as they are but SendGrid's payload rules would refuse; the test server applies those rules.</summary>
public sealed class When_a_message_does_not_fit_sendgrid_as_is
{
    static async Task<(MessageSent Sent, TestSendGridMessage Received)> Send(TestSendGridServer sendGrid, EmailMessage message)
    {
        sendGrid.AddAuthenticatedDomain("example.com");
        await using var host = await FallbackHost.StartAsync(sendGrid);
        var account = await host.AddAccountAsync();
        var delivery = FallbackHost.Delivery(account.Id, message);
        var outcome = await host.DeliverAndWait(delivery);
        var sent = Assert.IsType<MessageSent>(outcome);
        return (sent, await sendGrid.WaitForMessageAsync());
    }

    [Fact]
    public async Task Should_name_each_recipient_once_across_to_cc_and_bcc()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        var message = new EmailMessage(
            From: [new EmailAddress("sender@example.com")],
            To: [new EmailAddress("bob@example.com"), new EmailAddress("BOB@example.com")],
            Cc: [new EmailAddress("bob@example.com"), new EmailAddress("carol@example.com")],
            Bcc: [new EmailAddress("carol@example.com"), new EmailAddress("dave@example.com")],
            ReplyTo: [], Subject: "Hi", Body: "<p>Hi</p>");

        var (_, received) = await Send(sendGrid, message);

        Assert.Equal(["bob@example.com"], received.To);
        Assert.Equal(["carol@example.com"], received.Cc);
        Assert.Equal(["dave@example.com"], received.Bcc);
    }

    [Fact]
    public async Task Should_use_reply_to_list_for_several_reply_to_addresses()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        var message = TestMessages.Email() with
        {
            ReplyTo = [new EmailAddress("one@example.com"), new EmailAddress("two@example.com", "Two")],
        };

        var (_, received) = await Send(sendGrid, message);

        Assert.Null(received.Body["reply_to"]);
        Assert.Equal(["one@example.com", "two@example.com"], received.ReplyToList);
    }

    [Fact]
    public async Task Should_send_an_empty_subject_and_body_in_a_form_sendgrid_accepts()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        var message = TestMessages.Email(subject: "", body: null);

        var (_, received) = await Send(sendGrid, message);

        Assert.Equal(" ", received.Subject);
        Assert.Equal([("text/plain", " ")], received.Contents);
    }

    [Fact]
    public async Task Should_leave_out_empty_cc_and_bcc()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        var message = TestMessages.Email() with { Cc = [], Bcc = [], ReplyTo = [] };

        var (_, received) = await Send(sendGrid, message);

        var personalization = received.Body["personalizations"]![0]!.AsObject();
        Assert.False(personalization.ContainsKey("cc"));
        Assert.False(personalization.ContainsKey("bcc"));
        Assert.False(received.Body.AsObject().ContainsKey("reply_to"));
    }
}
