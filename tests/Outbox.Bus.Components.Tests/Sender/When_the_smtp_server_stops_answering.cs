using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Sender;

/// <summary>A server that takes the whole message and then never replies: the command timeout ends the attempt, which
/// is transient (the message was not accepted, so a later attempt may send it).</summary>
public sealed class When_the_smtp_server_stops_answering
{
    [Fact]
    public async Task Should_report_a_transient_failure_once_the_command_times_out()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        smtp.FaultOnce(SmtpFault.Hang);
        await using var host = await SenderHost.StartAsync(new Dictionary<string, string?> { ["Smtp:CommandTimeout"] = "00:00:01" });
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port);
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var failure = await host.WaitForFailure(delivery);

        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.Equal("smtp", failure.Route);
        Assert.Equal("The SMTP server did not answer in time", failure.Reason);
        Assert.Equal(delivery.MessageId, Assert.Single(smtp.Unanswered).Message.MessageId);
        Assert.Empty(smtp.Messages);
        Assert.False((await host.ReadAccountAsync(account.Id)).NeedsReauthentication);
    }

    [Fact]
    public async Task Should_send_the_next_message_on_a_new_connection()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        smtp.FaultOnce(SmtpFault.Hang);
        await using var host = await SenderHost.StartAsync(new Dictionary<string, string?> { ["Smtp:CommandTimeout"] = "00:00:01" });
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port);
        var hung = TestMessages.Deliver(account.Id);
        await host.Deliver(hung);
        await host.WaitForFailure(hung);

        var next = TestMessages.Deliver(account.Id, attempt: 2, jobId: hung.JobId);
        await host.Deliver(next);
        await host.WaitForSent(next);

        Assert.Equal(hung.MessageId, Assert.Single(smtp.Messages).Message.MessageId);
        Assert.Equal(2, smtp.ConnectionCount);
    }
}
