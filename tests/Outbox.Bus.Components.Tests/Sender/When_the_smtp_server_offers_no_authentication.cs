using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Sender;

/// <summary>A relay that offers no AUTH decides by itself whether to accept; stored credentials are not forced on it.</summary>
public sealed class When_the_smtp_server_offers_no_authentication
{
    [Fact]
    public async Task Should_deliver_without_authenticating()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await SenderHost.StartAsync();
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port, username: "sender@example.com", password: "some-password");
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var sent = await host.WaitForSent(delivery);
        var received = await smtp.WaitForMessageAsync();

        Assert.Null(received.AuthenticatedUser);
        Assert.Equal(delivery.MessageId, sent.MessageId);
        Assert.False((await host.ReadAccountAsync(account.Id)).NeedsReauthentication);
    }
}
