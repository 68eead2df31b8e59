using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Fallback;

public sealed class When_sendgrid_is_unavailable
{
    [Fact]
    public async Task Should_fail_transiently_on_a_server_error()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        sendGrid.RespondWith(500, TestSendGridServer.ErrorBody(new TestSendGridError("internal error")));
        await using var host = await FallbackHost.StartAsync(sendGrid);
        var account = await host.AddAccountAsync();
        var delivery = FallbackHost.Delivery(account.Id);

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(delivery));

        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.Equal("SendGrid failed to accept the message (500)", failure.Reason);
        Assert.Equal("500 internal error", failure.Reply);
        Assert.Equal("sendgrid", failure.Route);
        // One attempt per message: the saga, not the consumer, decides when to try again.
        Assert.Equal(1, sendGrid.MailSendCount);
    }

    [Fact]
    public async Task Should_fail_transiently_when_nothing_listens()
    {
        var sendGrid = await TestSendGridServer.StartAsync();
        await using var host = await FallbackHost.StartAsync(sendGrid,
            new Dictionary<string, string?> { ["SendGrid:RequireVerifiedSender"] = "false" });
        await sendGrid.DisposeAsync();
        var account = await host.AddAccountAsync();
        var delivery = FallbackHost.Delivery(account.Id);

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(delivery));

        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.Equal("Could not reach SendGrid", failure.Reason);
    }

    [Fact]
    public async Task Should_fail_transiently_when_sendgrid_does_not_answer_in_time()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        sendGrid.RespondWith(202, delay: TimeSpan.FromSeconds(10));
        await using var host = await FallbackHost.StartAsync(sendGrid,
            new Dictionary<string, string?> { ["SendGrid:Timeout"] = "00:00:00.500" });
        var account = await host.AddAccountAsync();

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(FallbackHost.Delivery(account.Id)));

        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.Equal("SendGrid did not answer in time", failure.Reason);
    }

    [Fact]
    public async Task Should_fail_transiently_when_the_verification_lookup_fails_and_ask_again_next_time()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        sendGrid.RespondOnceWith(503, path: TestSendGridServer.VerifiedSendersPath);
        await using var host = await FallbackHost.StartAsync(sendGrid);
        var account = await host.AddAccountAsync();

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(FallbackHost.Delivery(account.Id)));
        var sent = await host.DeliverAndWait(FallbackHost.Delivery(account.Id));

        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.Equal("Could not ask SendGrid whether the sender is verified (503)", failure.Reason);
        Assert.IsType<MessageSent>(sent);
        Assert.Equal(2, sendGrid.CountRequests(TestSendGridServer.VerifiedSendersPath));
    }
}
