using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_an_update_comes_inside_the_lock_window
{
    [Fact]
    public async Task Should_reject_the_update_and_keep_the_job_unchanged()
    {
        await using var bus = await SagaHarness.StartAsync(o => o.UpdateLockWindow = TimeSpan.FromSeconds(10));
        var command = TestMessages.Schedule(sendAt: DateTime.UtcNow.AddSeconds(5));
        await bus.Schedule(command);
        await bus.WaitForState(command.JobId, m => m.Pending);

        var later = DateTime.UtcNow.AddHours(1);
        var response = await bus.Update(new UpdateSend(command.JobId, command.AccountId, TestMessages.Email(subject: "Updated"), later, later.AddHours(24)));

        var rejected = Assert.IsType<SendUpdateRejected>(response);
        Assert.Equal(command.JobId, rejected.JobId);
        Assert.Contains("can no longer be updated", rejected.Reason);
        var job = await bus.WaitForState(command.JobId, m => m.Pending);
        Assert.Equal("Hello", job.Message.Subject);
        Assert.Equal(command.SendAt, job.SendAt);
        Assert.Equal(command.RetryLimit, job.RetryLimit);
    }
}
