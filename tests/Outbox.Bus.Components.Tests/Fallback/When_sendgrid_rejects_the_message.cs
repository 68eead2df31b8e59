using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Fallback;

public sealed class When_sendgrid_rejects_the_message
{
    [Fact]
    public async Task Should_fail_permanently_with_sendgrids_messages()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        sendGrid.RespondWith(400, TestSendGridServer.ErrorBody(
            new TestSendGridError("The attachment content must be base64 encoded.", "attachments.0.content"),
            new TestSendGridError("Invalid type. Expected: string, given: integer.", "custom_args.count")));
        await using var host = await FallbackHost.StartAsync(sendGrid);
        var account = await host.AddAccountAsync();
        var delivery = FallbackHost.Delivery(account.Id);

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(delivery));

        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Equal("sendgrid", failure.Route);
        Assert.StartsWith("SendGrid refused the message: The attachment content must be base64 encoded.", failure.Reason);
        Assert.Equal("400 The attachment content must be base64 encoded. (attachments.0.content); "
                     + "Invalid type. Expected: string, given: integer. (custom_args.count)", failure.Reply);
        Assert.Equal(1, sendGrid.MailSendCount);
    }

    [Fact]
    public async Task Should_fail_permanently_when_the_from_is_not_a_sender_identity()
    {
        // With the local check off, SendGrid's own 403 is what tells.
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.RespondWith(403, TestSendGridServer.ErrorBody(new TestSendGridError(
            "The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved.", "from")));
        await using var host = await FallbackHost.StartAsync(sendGrid,
            new Dictionary<string, string?> { ["SendGrid:RequireVerifiedSender"] = "false" });
        var account = await host.AddAccountAsync();
        var delivery = FallbackHost.Delivery(account.Id);

        var failure = Assert.IsType<MessageDeliveryFailed>(await host.DeliverAndWait(delivery));

        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Equal("The sender sender@example.com is not verified with the fallback service", failure.Reason);
        Assert.Contains("verified Sender Identity", failure.Reply);
    }
}
