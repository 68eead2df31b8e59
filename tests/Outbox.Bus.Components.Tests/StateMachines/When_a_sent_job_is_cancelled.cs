using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_a_sent_job_is_cancelled
{
    [Fact]
    public async Task Should_answer_send_cancel_rejected_and_stay_successful()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.ReportSent(delivery);
        await bus.WaitForState(command.JobId, m => m.Successful);

        var response = await bus.Cancel(command.JobId);

        var rejected = Assert.IsType<SendCancelRejected>(response);
        Assert.Equal(command.JobId, rejected.JobId);
        Assert.False(string.IsNullOrWhiteSpace(rejected.Reason));
        var job = await bus.WaitForState(command.JobId, m => m.Successful);
        Assert.Null(job.Reason);
        Assert.Equal([JobStatus.Successful], bus.StatusChanges(command.JobId).Select(c => c.Status));
    }
}
