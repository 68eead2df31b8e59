using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_a_pending_job_is_cancelled
{
    [Fact]
    public async Task Should_answer_send_cancelled_and_be_cancelled_by_user()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule(sendAt: DateTime.UtcNow.AddMinutes(10));
        await bus.Schedule(command);
        await bus.WaitForState(command.JobId, m => m.Pending);

        var response = await bus.Cancel(command.JobId);

        var cancelled = Assert.IsType<SendCancelled>(response);
        Assert.Equal((command.JobId, "Cancelled by user"), (cancelled.JobId, cancelled.Reason));
        var job = await bus.WaitForState(command.JobId, m => m.Cancelled);
        Assert.Equal(SendJobStateMachine.CancelledByUser, job.Reason);
        Assert.Equal(JobStatus.Cancelled, JobStatus.Of(job));
        Assert.Null(job.SendDueTokenId);
        var changed = await Eventually.Get(() => bus.StatusChanges(command.JobId).SingleOrDefault(), "JobStatusChanged(cancelled)");
        Assert.Equal((JobStatus.Cancelled, "Cancelled by user"), (changed.Status, changed.Reason));
    }

    [Fact]
    public async Task Should_never_deliver_the_scheduled_send()
    {
        await using var bus = await SagaHarness.StartAsync();
        var sendAt = DateTime.UtcNow.AddSeconds(1);
        var command = TestMessages.Schedule(sendAt: sendAt);
        await bus.Schedule(command);
        await bus.WaitForState(command.JobId, m => m.Pending);

        Assert.IsType<SendCancelled>(await bus.Cancel(command.JobId));

        await Eventually.Never(() => bus.Deliveries(command.JobId).Count > 0, sendAt - DateTime.UtcNow + TimeSpan.FromMilliseconds(600),
            "a DeliverMessage for a cancelled job");
        await bus.WaitForState(command.JobId, m => m.Cancelled);
    }

    [Fact]
    public async Task Should_answer_send_cancelled_again_when_the_cancel_is_repeated()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule(sendAt: DateTime.UtcNow.AddMinutes(10));
        await bus.Schedule(command);
        await bus.WaitForState(command.JobId, m => m.Pending);
        Assert.IsType<SendCancelled>(await bus.Cancel(command.JobId));

        var again = await bus.Cancel(command.JobId);

        Assert.Equal("Cancelled by user", Assert.IsType<SendCancelled>(again).Reason);
        await bus.WaitForState(command.JobId, m => m.Cancelled);
        Assert.Single(bus.StatusChanges(command.JobId));
    }
}
