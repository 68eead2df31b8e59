using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Sender;

public sealed class When_many_messages_are_sent_for_one_account
{
    [Fact]
    public async Task Should_deliver_them_all_over_one_connection()
    {
        await using var smtp = await TestSmtpServer.StartAsync(new TestSmtpServerOptions
        {
            Username = "sender@example.com", Password = "right-password", AuthenticationRequired = true,
        });
        await using var host = await SenderHost.StartAsync();
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port, username: "sender@example.com", password: "right-password");

        var deliveries = new List<DeliverMessage>();
        for (var i = 0; i < 10; i++)
        {
            var delivery = TestMessages.Deliver(account.Id, TestMessages.Email(subject: $"Message {i}"));
            deliveries.Add(delivery);
            await host.Deliver(delivery);
            await host.WaitForSent(delivery);
        }

        var received = await smtp.WaitForMessagesAsync(10);
        Assert.Equal(deliveries.Select(d => d.MessageId), received.Select(r => r.Message.MessageId));
        Assert.Equal(1, smtp.ConnectionCount);
        Assert.Single(received.Select(r => r.SessionId).Distinct());
    }
}
