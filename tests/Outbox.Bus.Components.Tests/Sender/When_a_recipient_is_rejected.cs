using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Sender;

public sealed class When_a_recipient_is_rejected
{
    [Fact]
    public async Task Should_report_a_permanent_failure_naming_the_recipient()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        foreach (var address in new[] { "bob@example.com", "carol@example.com", "dave@example.com" })
            smtp.RejectRecipient(address, 550, "5.1.1 Mailbox unavailable");
        await using var host = await SenderHost.StartAsync();
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port);
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var failure = await host.WaitForFailure(delivery);

        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Contains("@example.com rejected", failure.Reason);
        Assert.NotNull(failure.Reply);
        Assert.StartsWith("550", failure.Reply);
        Assert.Contains("5.1.1", failure.Reply);
        Assert.Empty(smtp.Messages);
    }
}
