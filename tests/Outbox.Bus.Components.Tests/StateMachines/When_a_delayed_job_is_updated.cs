using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

/// <summary>Delayed, with its next attempt further away than the lock window: the update is accepted.</summary>
public sealed class When_a_delayed_job_is_updated
{
    [Fact]
    public async Task Should_be_pending_again_and_make_the_next_attempt_at_the_new_time_with_the_new_content()
    {
        await using var bus = await SagaHarness.StartAsync(o =>
        {
            o.FirstRetryInterval = TimeSpan.FromSeconds(30);
            o.MaxRetryInterval = TimeSpan.FromMinutes(1);
            o.UpdateLockWindow = TimeSpan.FromSeconds(1);
        });
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.ReportFailed(first, FailureKind.Transient);
        await bus.WaitForState(command.JobId, m => m.Delayed);

        var newSendAt = DateTime.UtcNow.AddMilliseconds(800);
        var response = await bus.Update(new UpdateSend(command.JobId, command.AccountId, TestMessages.Email(subject: "Updated"),
            newSendAt, newSendAt.AddHours(24)));

        Assert.Equal(JobStatus.Pending, Assert.IsType<SendUpdated>(response).Status);
        var (second, sentAt) = await bus.WaitForDelivery(command.JobId, 2);
        Assert.True(sentAt >= newSendAt.AddMilliseconds(-50), $"attempt 2 left at {sentAt:O}, before the new send_at {newSendAt:O}");
        Assert.Equal("Updated", second.Message.Subject);
        var job = await bus.WaitForState(command.JobId, m => m.Sending);
        Assert.Equal(newSendAt, job.OriginalSendAt);
        Assert.Null(job.Reason);
    }
}
