using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_another_account_cancels_a_job
{
    [Fact]
    public async Task Should_answer_job_not_found_and_leave_the_job_pending()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule(sendAt: DateTime.UtcNow.AddMinutes(10));
        await bus.Schedule(command);
        await bus.WaitForState(command.JobId, m => m.Pending);

        var response = await bus.Cancel(command.JobId, accountId: "someoneelse00000000000000");

        Assert.Equal(command.JobId, Assert.IsType<JobNotFound>(response).JobId);
        var job = await bus.WaitForState(command.JobId, m => m.Pending);
        Assert.Null(job.Reason);
        Assert.NotNull(job.SendDueTokenId);
        Assert.Empty(bus.StatusChanges(command.JobId));
    }
}
