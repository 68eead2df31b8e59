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

    [Fact]
    public async Task Should_not_resend_at_once_on_a_new_connection_when_the_pooled_one_drops()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await SenderHost.StartAsync();
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port);
        var first = TestMessages.Deliver(account.Id);
        await host.Deliver(first);
        await host.WaitForSent(first);
        smtp.FaultOnce(SmtpFault.Drop);

        // The pooled connection was alive (it answered MAIL FROM), so this is not a stale connection to retry quietly:
        // the server may have the message, and whether to send again is the saga's decision, on its schedule.
        var second = TestMessages.Deliver(account.Id);
        await host.Deliver(second);
        var failure = await host.WaitForFailure(second);

        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.Equal(second.MessageId, Assert.Single(smtp.Unanswered).Message.MessageId);
        Assert.Equal(first.MessageId, Assert.Single(smtp.Messages).Message.MessageId);
        Assert.Equal(1, smtp.ConnectionCount);
    }
}
