using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

/// <summary>Cancel is accepted while no attempt has succeeded, which includes a job that failed.</summary>
public sealed class When_a_failed_job_is_cancelled
{
    [Fact]
    public async Task Should_answer_send_cancelled_and_be_cancelled()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.ReportFailed(delivery, FailureKind.Permanent, "Message rejected: 554 5.7.1 Spam");
        await bus.WaitForState(command.JobId, m => m.Failed);

        var response = await bus.Cancel(command.JobId);

        Assert.IsType<SendCancelled>(response);
        var job = await bus.WaitForState(command.JobId, m => m.Cancelled);
        Assert.Equal(SendJobStateMachine.CancelledByUser, job.Reason);
        Assert.Equal([JobStatus.Failed, JobStatus.Cancelled], bus.StatusChanges(command.JobId).Select(c => c.Status));
    }
}
