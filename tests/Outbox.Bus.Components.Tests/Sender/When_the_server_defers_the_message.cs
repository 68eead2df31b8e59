using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Sender;

public sealed class When_the_server_defers_the_message
{
    [Fact]
    public async Task Should_report_a_transient_failure_with_the_reply()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        smtp.RespondOnceWith(451, "4.3.0 Try again later");
        await using var host = await SenderHost.StartAsync();
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port);
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var failure = await host.WaitForFailure(delivery);

        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.Equal("smtp", failure.Route);
        Assert.NotNull(failure.Reply);
        Assert.StartsWith("451", failure.Reply);
        Assert.Contains("4.3.0 Try again later", failure.Reply);
        Assert.Contains("4.3.0 Try again later", failure.Reason);
        Assert.Single(smtp.Rejected);
        Assert.Empty(smtp.Messages);
        Assert.False((await host.ReadAccountAsync(account.Id)).NeedsReauthentication);
    }
}
