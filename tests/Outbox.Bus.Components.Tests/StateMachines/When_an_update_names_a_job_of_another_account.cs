using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_an_update_names_a_job_of_another_account
{
    [Fact]
    public async Task Should_answer_job_not_found_and_leave_the_job_alone()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule(sendAt: DateTime.UtcNow.AddMinutes(10));
        await bus.Schedule(command);
        await bus.WaitForState(command.JobId, m => m.Pending);

        var later = DateTime.UtcNow.AddHours(1);
        var response = await bus.Update(new UpdateSend(command.JobId, "someoneelse00000000000000", TestMessages.Email(subject: "Hijacked"),
            later, later.AddHours(24)));

        Assert.Equal(command.JobId, Assert.IsType<JobNotFound>(response).JobId);
        var job = await bus.WaitForState(command.JobId, m => m.Pending);
        Assert.Equal("Hello", job.Message.Subject);
        Assert.Equal(command.SendAt, job.SendAt);
    }
}
