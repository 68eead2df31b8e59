using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Sender;

public sealed class When_the_daily_sending_quota_is_exceeded
{
    [Fact]
    public async Task Should_report_the_daily_limit()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        smtp.RespondWith(550, "5.4.5 Daily sending quota exceeded");
        await using var host = await SenderHost.StartAsync();
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port);
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var failure = await host.WaitForFailure(delivery);

        Assert.Equal(FailureKind.DailyLimit, failure.Kind);
        Assert.Equal("550 5.4.5 Daily sending quota exceeded", failure.Reply);
        Assert.Empty(smtp.Messages);
    }
}
