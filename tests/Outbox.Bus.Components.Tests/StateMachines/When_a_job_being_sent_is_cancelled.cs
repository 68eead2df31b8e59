using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_a_job_being_sent_is_cancelled
{
    [Fact]
    public async Task Should_answer_send_cancel_rejected_and_let_the_attempt_finish()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.WaitForState(command.JobId, m => m.Sending);

        var response = await bus.Cancel(command.JobId);

        Assert.Equal(command.JobId, Assert.IsType<SendCancelRejected>(response).JobId);
        var job = await bus.WaitForState(command.JobId, m => m.Sending);
        Assert.Null(job.Reason);
        Assert.Empty(bus.StatusChanges(command.JobId));

        await bus.ReportSent(delivery);
        await bus.WaitForState(command.JobId, m => m.Successful);
    }
}
