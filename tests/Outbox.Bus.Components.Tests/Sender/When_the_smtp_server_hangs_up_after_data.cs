using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Sender;

/// <summary>The connection drops after the message went out but before the server said whether it took it. Until the
/// 250 the message is not accepted (RFC 5321 §4.1.1.4), so the attempt is transient and a retry may send it.</summary>
public sealed class When_the_smtp_server_hangs_up_after_data
{
    [Fact]
    public async Task Should_report_a_transient_failure()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        smtp.FaultOnce(SmtpFault.Drop);
        await using var host = await SenderHost.StartAsync();
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port);
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var failure = await host.WaitForFailure(delivery);

        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.Equal("smtp", failure.Route);
        Assert.Equal("The SMTP server closed the connection", failure.Reason);
        Assert.Equal(delivery.MessageId, Assert.Single(smtp.Unanswered).Message.MessageId);
        Assert.Empty(smtp.Messages);
        Assert.Empty(smtp.Faults);
    }
}
