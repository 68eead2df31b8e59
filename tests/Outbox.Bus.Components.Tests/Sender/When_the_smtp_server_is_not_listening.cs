using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Sender;

public sealed class When_the_smtp_server_is_not_listening
{
    [Fact]
    public async Task Should_report_a_transient_failure()
    {
        await using var host = await SenderHost.StartAsync();
        var closedPort = FreeTcpPort.Next();
        var account = await host.AddAccountAsync(smtpHost: "127.0.0.1", smtpPort: closedPort);
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var failure = await host.WaitForFailure(delivery);

        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.Equal("smtp", failure.Route);
        Assert.Equal("Could not reach the SMTP server", failure.Reason);
        Assert.False((await host.ReadAccountAsync(account.Id)).NeedsReauthentication);
    }
}
