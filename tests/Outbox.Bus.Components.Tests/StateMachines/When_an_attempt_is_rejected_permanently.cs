using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_an_attempt_is_rejected_permanently
{
    [Fact]
    public async Task Should_fail_with_the_failure_reason_and_never_retry()
    {
        const string reason = "Recipient bob@example.com rejected: 550 5.1.1 Mailbox unavailable";
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, 1);

        await bus.ReportFailed(delivery, FailureKind.Permanent, reason, "550 5.1.1 Mailbox unavailable");
        var job = await bus.WaitForState(command.JobId, m => m.Failed, timeout: TimeSpan.FromSeconds(2));

        Assert.Equal(reason, job.Reason);
        Assert.Equal(("permanent", "550 5.1.1 Mailbox unavailable"), (job.Attempts.Single().Outcome, job.Attempts.Single().Reply));
        var changed = await Eventually.Get(() => bus.StatusChanges(command.JobId).SingleOrDefault(), "JobStatusChanged(failed)");
        Assert.Equal((JobStatus.Failed, reason), (changed.Status, changed.Reason));

        await Eventually.Never(() => bus.Deliveries(command.JobId).Count > 1, TimeSpan.FromMilliseconds(800), "a retry after a permanent rejection");
    }
}
