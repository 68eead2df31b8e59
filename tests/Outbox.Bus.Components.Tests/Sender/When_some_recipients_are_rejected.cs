using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Sender;

public sealed class When_some_recipients_are_rejected
{
    [Fact]
    public async Task Should_deliver_to_the_others_and_report_the_rejected_ones()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        smtp.RejectRecipient("carol@example.com", 550, "5.1.1 Mailbox unavailable");
        await using var host = await SenderHost.StartAsync();
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port);
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var sent = await host.WaitForSent(delivery);

        var received = Assert.Single(smtp.Messages);
        Assert.DoesNotContain("carol@example.com", received.RcptTo);
        Assert.NotEmpty(received.RcptTo);
        var rejected = Assert.Single(sent.RejectedRecipients!);
        Assert.StartsWith("carol@example.com rejected: 550", rejected);
        Assert.Contains("5.1.1", rejected);
    }
}
