using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.Sender;

/// <summary>
/// RFC 4954's <c>454 4.7.0 Temporary authentication failure</c> (Gmail also answers "454 4.7.0 Too many login attempts,
/// please try again later") says nothing against the credentials: it is a 4xx reply, worth another attempt later, and must
/// not lock the account out until the user re-authenticates.
/// </summary>
public sealed class When_authentication_fails_temporarily
{
    [Fact]
    public async Task Should_report_a_transient_failure_and_leave_the_account_usable()
    {
        await using var smtp = ScriptedSmtpServer.Start("454 4.7.0 Temporary authentication failure");
        await using var host = await SenderHost.StartAsync();
        var account = await host.AddAccountAsync(smtpHost: smtp.Host, smtpPort: smtp.Port, username: "sender@example.com", password: "right-password");
        var delivery = TestMessages.Deliver(account.Id);

        await host.Deliver(delivery);
        var failure = await host.WaitForFailure(delivery);

        Assert.True(smtp.AuthAttempts >= 1, "the client must have tried to authenticate");
        Assert.Contains("454", failure.Reply);
        Assert.False((await host.ReadAccountAsync(account.Id)).NeedsReauthentication,
            "a temporary authentication failure must not mark the account as needing re-authentication");
        Assert.Equal(FailureKind.Transient, failure.Kind);
    }
}
