using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Fallback;

/// <summary>A wrong key is our configuration, not the user's mailbox: Permanent, never Authentication (which would mark
/// the account as needing re-authentication).</summary>
public sealed class When_sendgrid_rejects_the_api_key
{
    [Fact]
    public async Task Should_fail_permanently_on_mail_send()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        await using var host = await FallbackHost.StartAsync(sendGrid, new Dictionary<string, string?>
        {
            ["SendGrid:ApiKey"] = "SG.wrong-key",
            ["SendGrid:RequireVerifiedSender"] = "false",
        });
        var account = await host.AddAccountAsync();
        var delivery = FallbackHost.Delivery(account.Id);

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(delivery));

        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Equal("SendGrid rejected the API key", failure.Reason);
        Assert.Equal("401 The provided authorization grant is invalid, expired, or revoked", failure.Reply);
        var request = Assert.Single(sendGrid.Requests);
        Assert.Equal("Bearer SG.wrong-key", request.Authorization);
        Assert.Empty(sendGrid.Messages);
    }

    [Fact]
    public async Task Should_fail_permanently_when_the_verification_lookup_is_refused()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        await using var host = await FallbackHost.StartAsync(sendGrid,
            new Dictionary<string, string?> { ["SendGrid:ApiKey"] = "SG.wrong-key" });
        var account = await host.AddAccountAsync();
        var delivery = FallbackHost.Delivery(account.Id);

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(delivery));

        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Equal("SendGrid rejected the API key", failure.Reason);
        Assert.Equal(0, sendGrid.MailSendCount);
    }

    [Fact]
    public async Task Should_say_what_to_change_when_the_key_may_only_send()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.RespondWith(403, TestSendGridServer.ErrorBody(new TestSendGridError("access forbidden")),
            path: TestSendGridServer.VerifiedSendersPath);
        await using var host = await FallbackHost.StartAsync(sendGrid);
        var account = await host.AddAccountAsync();
        var delivery = FallbackHost.Delivery(account.Id);

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(delivery));

        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Contains("may not read sender verification", failure.Reason);
        Assert.Contains("SendGrid:RequireVerifiedSender", failure.Reason);
        Assert.Equal("403 access forbidden", failure.Reply);
        Assert.Equal(0, sendGrid.MailSendCount);
    }
}
