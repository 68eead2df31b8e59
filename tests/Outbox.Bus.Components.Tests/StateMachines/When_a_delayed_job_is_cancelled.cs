using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_a_delayed_job_is_cancelled
{
    [Fact]
    public async Task Should_be_cancelled_and_never_start_the_next_attempt()
    {
        var retry = TimeSpan.FromMilliseconds(600);
        await using var bus = await SagaHarness.StartAsync(o => o.FirstRetryInterval = retry);
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);
        var failedAt = DateTime.UtcNow;
        await bus.ReportFailed(first, FailureKind.Transient);
        await bus.WaitForState(command.JobId, m => m.Delayed);

        var response = await bus.Cancel(command.JobId);

        Assert.Equal("Cancelled by user", Assert.IsType<SendCancelled>(response).Reason);
        var job = await bus.WaitForState(command.JobId, m => m.Cancelled);
        Assert.Equal(SendJobStateMachine.CancelledByUser, job.Reason);
        Assert.Equal([JobStatus.Delayed, JobStatus.Cancelled], bus.StatusChanges(command.JobId).Select(c => c.Status));
        await Eventually.Never(() => bus.Deliveries(command.JobId).Count > 1, failedAt + retry - DateTime.UtcNow + TimeSpan.FromMilliseconds(600),
            "attempt 2 of a cancelled job");
        await bus.WaitForState(command.JobId, m => m.Cancelled);
    }
}
