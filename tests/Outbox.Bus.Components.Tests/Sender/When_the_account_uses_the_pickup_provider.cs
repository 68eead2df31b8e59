using MimeKit;
using Outbox.Bus.Components.Tests.Infrastructure;

namespace Outbox.Bus.Components.Tests.Sender;

public sealed class When_the_account_uses_the_pickup_provider
{
    [Fact]
    public async Task Should_write_an_eml_file_with_the_message_id()
    {
        await using var host = await SenderHost.StartAsync(new Dictionary<string, string?>
        {
            ["Pickup:Enabled"] = "true",
            ["Pickup:Directory"] = "outgoing-mail",
        });
        var account = await host.AddAccountAsync(provider: "pickup");
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var sent = await host.WaitForSent(delivery);

        var directory = Path.Combine(host.DataDirectory, "outgoing-mail");
        var file = Assert.Single(Directory.GetFiles(directory));
        Assert.EndsWith(".eml", file);
        Assert.Contains(delivery.MessageId.Split('@')[0], Path.GetFileName(file));
        var message = await MimeMessage.LoadAsync(file);
        Assert.Equal(delivery.MessageId, message.MessageId);
        Assert.Equal("Hello", message.Subject);
        Assert.DoesNotContain(message.Headers, h => h.Id == HeaderId.Bcc);
        Assert.Equal(delivery.MessageId, sent.MessageId);
        Assert.Equal("pickup", sent.Route);
        Assert.Contains(Path.GetFileName(file), sent.Reply);
    }

    [Fact]
    public async Task Should_refuse_permanently_when_the_pickup_provider_is_disabled()
    {
        await using var host = await SenderHost.StartAsync(new Dictionary<string, string?> { ["Pickup:Enabled"] = "false" });
        var account = await host.AddAccountAsync(provider: "pickup");
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var failure = await host.WaitForFailure(delivery);

        Assert.Equal(Contracts.FailureKind.Permanent, failure.Kind);
        Assert.Equal("pickup", failure.Route);
        Assert.False(Directory.Exists(Path.Combine(host.DataDirectory, "pickup")));
    }
}
