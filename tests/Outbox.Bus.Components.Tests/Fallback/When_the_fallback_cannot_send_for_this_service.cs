using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Fallback;

public sealed class When_the_fallback_cannot_send_for_this_service
{
    [Fact]
    public async Task Should_fail_permanently_when_no_api_key_is_configured()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        await using var host = await FallbackHost.StartAsync(sendGrid, new Dictionary<string, string?> { ["SendGrid:ApiKey"] = "" });
        var account = await host.AddAccountAsync();

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(FallbackHost.Delivery(account.Id)));

        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Equal("No fallback service is configured (SendGrid:ApiKey, or a key of the account's own)", failure.Reason);
        Assert.False(host.Fallback.IsConfigured);
        Assert.Empty(sendGrid.Requests);
    }

    [Fact]
    public async Task Should_fail_permanently_when_the_account_no_longer_exists()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        await using var host = await FallbackHost.StartAsync(sendGrid);

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(FallbackHost.Delivery("no-such-account")));

        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Equal("The account no longer exists", failure.Reason);
        Assert.Empty(sendGrid.Requests);
    }

    [Fact]
    public async Task Should_fail_permanently_for_a_message_without_a_to_recipient()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        await using var host = await FallbackHost.StartAsync(sendGrid);
        var account = await host.AddAccountAsync();
        var message = TestMessages.Email() with { To = [] };

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(FallbackHost.Delivery(account.Id, message)));

        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Equal("SendGrid needs at least one To recipient", failure.Reason);
        Assert.Equal(0, sendGrid.MailSendCount);
    }
}
