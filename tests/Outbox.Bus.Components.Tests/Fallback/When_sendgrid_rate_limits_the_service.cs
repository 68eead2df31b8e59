using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Fallback;

public sealed class When_sendgrid_rate_limits_the_service
{
    static Dictionary<string, string> ResetIn(ManualClock clock, TimeSpan delay) => new()
    {
        ["X-RateLimit-Limit"] = "600",
        ["X-RateLimit-Remaining"] = "0",
        ["X-RateLimit-Reset"] = (clock.GetUtcNow() + delay).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Should_fail_transiently_with_the_reset_time()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        var headers = ResetIn(clock, TimeSpan.FromSeconds(60));
        sendGrid.RespondOnceWith(429, TestSendGridServer.ErrorBody(new TestSendGridError("too many requests")), headers);
        await using var host = await FallbackHost.StartAsync(sendGrid, clock: clock);
        var account = await host.AddAccountAsync();
        var delivery = FallbackHost.Delivery(account.Id);

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(delivery));

        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.StartsWith("SendGrid is rate limiting this service until ", failure.Reason);
        Assert.Contains($"X-RateLimit-Reset: {headers["X-RateLimit-Reset"]}", failure.Reply);
        Assert.StartsWith("429 too many requests", failure.Reply);
    }

    [Fact]
    public async Task Should_not_call_sendgrid_again_before_the_reset()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        sendGrid.RespondOnceWith(429, TestSendGridServer.ErrorBody(new TestSendGridError("too many requests")),
            ResetIn(clock, TimeSpan.FromSeconds(60)));
        await using var host = await FallbackHost.StartAsync(sendGrid, clock: clock);
        var account = await host.AddAccountAsync();
        await host.DeliverAndWait(FallbackHost.Delivery(account.Id));

        clock.Advance(TimeSpan.FromSeconds(30));
        var second = FallbackHost.Delivery(account.Id);
        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(second));

        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.StartsWith("SendGrid is rate limiting this service until ", failure.Reason);
        Assert.Equal(1, sendGrid.MailSendCount);
    }

    [Fact]
    public async Task Should_send_again_once_the_limit_has_reset()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        sendGrid.RespondOnceWith(429, TestSendGridServer.ErrorBody(new TestSendGridError("too many requests")),
            ResetIn(clock, TimeSpan.FromSeconds(60)));
        await using var host = await FallbackHost.StartAsync(sendGrid, clock: clock);
        var account = await host.AddAccountAsync();
        await host.DeliverAndWait(FallbackHost.Delivery(account.Id));

        clock.Advance(TimeSpan.FromSeconds(61));
        var retry = FallbackHost.Delivery(account.Id);
        var sent = Assert.IsType<MessageSent>(await host.DeliverAndWait(retry));

        Assert.Equal("sendgrid", sent.Route);
        Assert.Equal(2, sendGrid.MailSendCount);
    }
}
