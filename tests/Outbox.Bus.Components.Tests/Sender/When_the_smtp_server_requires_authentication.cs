using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Sender;

public sealed class When_the_smtp_server_requires_authentication
{
    [Fact]
    public async Task Should_authenticate_with_the_stored_password_and_deliver()
    {
        await using var smtp = await TestSmtpServer.StartAsync(new TestSmtpServerOptions
        {
            Username = "sender@example.com", Password = "s3cret-pässword", AuthenticationRequired = true,
        });
        await using var host = await SenderHost.StartAsync();
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port, username: "sender@example.com", password: "s3cret-pässword");
        Assert.DoesNotContain("s3cret", account.SmtpPasswordProtected);
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var sent = await host.WaitForSent(delivery);
        var received = await smtp.WaitForMessageAsync();

        Assert.Equal("sender@example.com", received.AuthenticatedUser);
        Assert.Equal(delivery.MessageId, received.Message.MessageId);
        Assert.Equal("smtp", sent.Route);
        Assert.False((await host.ReadAccountAsync(account.Id)).NeedsReauthentication);
    }
}
