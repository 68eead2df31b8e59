using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Sender;

public sealed class When_the_smtp_password_is_wrong
{
    static async Task<(SenderHost Host, TestSmtpServer Smtp, Account Account, MessageDeliveryFailed Failure)> FailOnce()
    {
        var smtp = await TestSmtpServer.StartAsync(new TestSmtpServerOptions
        {
            Username = "sender@example.com", Password = "right-password", AuthenticationRequired = true,
        });
        var host = await SenderHost.StartAsync();
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port, username: "sender@example.com", password: "wrong-password");
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var failure = await host.WaitForFailure(delivery);
        return (host, smtp, account, failure);
    }

    [Fact]
    public async Task Should_report_an_authentication_failure()
    {
        var (host, smtp, _, failure) = await FailOnce();
        await using var _h = host;
        await using var _s = smtp;

        Assert.Equal(FailureKind.Authentication, failure.Kind);
        Assert.Equal("Invalid authentication", failure.Reason);
        Assert.Equal("smtp", failure.Route);
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task Should_mark_the_account_as_needing_reauthentication()
    {
        var (host, smtp, account, _) = await FailOnce();
        await using var _h = host;
        await using var _s = smtp;

        Assert.True((await host.ReadAccountAsync(account.Id)).NeedsReauthentication);
    }

    [Fact]
    public async Task Should_fail_later_deliveries_for_the_account_without_connecting()
    {
        var (host, smtp, account, _) = await FailOnce();
        await using var _h = host;
        await using var _s = smtp;
        var connections = smtp.ConnectionCount;
        Assert.True(connections >= 1);

        var later = TestMessages.Deliver(account.Id);
        await host.Deliver(later);
        var failure = await host.WaitForFailure(later);

        Assert.Equal(FailureKind.Authentication, failure.Kind);
        Assert.Equal("Invalid authentication", failure.Reason);
        Assert.Equal(connections, smtp.ConnectionCount);
        Assert.Empty(smtp.Messages);
    }
}
