using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.Sender;

public sealed class When_the_account_no_longer_exists
{
    [Fact]
    public async Task Should_report_a_permanent_failure()
    {
        await using var host = await SenderHost.StartAsync();
        var delivery = TestMessages.Deliver(PublicId.Format(Guid.NewGuid()));

        await host.Deliver(delivery);
        var failure = await host.WaitForFailure(delivery);

        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Equal("The account no longer exists", failure.Reason);
    }
}
