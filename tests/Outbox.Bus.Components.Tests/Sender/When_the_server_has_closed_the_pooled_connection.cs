using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Sender;

/// <summary>A pooled connection that the server dropped while idle: the message never left, so one fresh try is made.</summary>
public sealed class When_the_server_has_closed_the_pooled_connection
{
    [Fact]
    public async Task Should_deliver_the_next_message_over_a_new_connection()
    {
        await using var smtp = await TestSmtpServer.StartAsync(new TestSmtpServerOptions { SessionTimeout = TimeSpan.FromSeconds(1) });
        await using var host = await SenderHost.StartAsync();
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port);
        var first = TestMessages.Deliver(account.Id);
        await host.Deliver(first);
        await host.WaitForSent(first);
        Assert.Equal(1, smtp.ConnectionCount);

        await Eventually.True(() => smtp.ActiveConnectionCount == 0, "the server to drop the idle connection", TimeSpan.FromSeconds(10));
        var second = TestMessages.Deliver(account.Id, TestMessages.Email(subject: "Second"));
        await host.Deliver(second);
        var outcome = await host.WaitForOutcome(second);

        var sent = Assert.IsType<Contracts.MessageSent>(outcome);
        Assert.Equal(second.MessageId, sent.MessageId);
        await smtp.WaitForMessageAsync(m => m.Message.MessageId == second.MessageId);
        Assert.Equal(2, smtp.ConnectionCount);
    }
}
