using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Fallback;

public sealed class When_the_sender_is_not_verified
{
    [Fact]
    public async Task Should_fail_permanently_without_calling_mail_send()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender("someone-else@example.com");
        sendGrid.AddAuthenticatedDomain("example.org");
        await using var host = await FallbackHost.StartAsync(sendGrid);
        var account = await host.AddAccountAsync();
        var delivery = FallbackHost.Delivery(account.Id);

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(delivery));

        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Equal("The sender sender@example.com is not verified with the fallback service", failure.Reason);
        Assert.Equal("sendgrid", failure.Route);
        Assert.Equal(0, sendGrid.MailSendCount);
    }

    [Fact]
    public async Task Should_not_count_a_pending_single_sender_or_an_invalid_domain()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail, verified: false);
        sendGrid.AddAuthenticatedDomain("example.com", valid: false);
        await using var host = await FallbackHost.StartAsync(sendGrid);
        var account = await host.AddAccountAsync();

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(FallbackHost.Delivery(account.Id)));

        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Equal(0, sendGrid.MailSendCount);
    }

    [Fact]
    public async Task Should_send_when_the_domain_alone_is_authenticated()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddAuthenticatedDomain("EXAMPLE.com");
        await using var host = await FallbackHost.StartAsync(sendGrid);
        var account = await host.AddAccountAsync();

        Assert.IsType<MessageSent>(await host.DeliverAndWait(FallbackHost.Delivery(account.Id)));
        Assert.Equal(1, sendGrid.MailSendCount);
    }

    [Fact]
    public async Task Should_send_anyway_when_the_check_is_turned_off()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        await using var host = await FallbackHost.StartAsync(sendGrid,
            new Dictionary<string, string?> { ["SendGrid:RequireVerifiedSender"] = "false" });
        var account = await host.AddAccountAsync();

        Assert.IsType<MessageSent>(await host.DeliverAndWait(FallbackHost.Delivery(account.Id)));
        Assert.Equal(0, sendGrid.CountRequests(TestSendGridServer.VerifiedSendersPath));
        Assert.Equal(0, sendGrid.CountRequests(TestSendGridServer.DomainsPath));
    }
}
