using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

/// <summary>Pending and more than the lock window before send_at: the update is accepted.</summary>
public sealed class When_a_pending_job_is_updated
{
    static Task<SagaHarness> Start() => SagaHarness.StartAsync(o => o.UpdateLockWindow = TimeSpan.FromSeconds(1));

    [Fact]
    public async Task Should_answer_send_updated_and_store_the_new_content_and_times()
    {
        await using var bus = await Start();
        var command = TestMessages.Schedule(sendAt: DateTime.UtcNow.AddSeconds(30));
        await bus.Schedule(command);
        await bus.WaitForState(command.JobId, m => m.Pending);

        var newSendAt = DateTime.UtcNow.AddSeconds(60);
        var update = new UpdateSend(command.JobId, command.AccountId, TestMessages.Email(subject: "Updated", from: "sender@other.example"),
            newSendAt, newSendAt.AddHours(2));
        var response = await bus.Update(update);

        var updated = Assert.IsType<SendUpdated>(response);
        Assert.Equal(command.JobId, updated.JobId);
        Assert.Equal(JobStatus.Pending, updated.Status);
        var job = await bus.WaitForState(command.JobId, m => m.Pending);
        Assert.Equal("Updated", job.Message.Subject);
        Assert.Equal(newSendAt, job.SendAt);
        Assert.Equal(newSendAt, job.OriginalSendAt);
        Assert.Equal(newSendAt.AddHours(2), job.RetryLimit);
        Assert.Equal(MessageIds.For(command.JobId, update.Message), job.MessageId);
        Assert.EndsWith("@other.example", job.MessageId);
        Assert.Empty(bus.Deliveries(command.JobId));
    }

    [Fact]
    public async Task Should_deliver_the_new_content_at_the_new_time_and_not_at_the_old_one()
    {
        await using var bus = await Start();
        var now = DateTime.UtcNow;
        var oldSendAt = now.AddSeconds(2);
        var newSendAt = now.AddSeconds(3.5);
        var command = TestMessages.Schedule(sendAt: oldSendAt);
        await bus.Schedule(command);
        await bus.WaitForState(command.JobId, m => m.Pending);

        var response = await bus.Update(new UpdateSend(command.JobId, command.AccountId, TestMessages.Email(subject: "Updated"),
            newSendAt, newSendAt.AddHours(24)));
        Assert.IsType<SendUpdated>(response);

        // The old schedule is still on its way (the delayed scheduler cannot cancel it); it must not start an attempt.
        await Eventually.Never(() => bus.Deliveries(command.JobId).Count > 0, newSendAt - DateTime.UtcNow - TimeSpan.FromMilliseconds(150),
            "a DeliverMessage before the updated send_at (the old schedule fired)");
        var (delivery, sentAt) = await bus.WaitForDelivery(command.JobId, 1);

        Assert.True(sentAt >= newSendAt.AddMilliseconds(-50), $"attempt 1 left at {sentAt:O}, before the new send_at {newSendAt:O}");
        Assert.Equal("Updated", delivery.Message.Subject);
        await Eventually.Never(() => bus.Deliveries(command.JobId).Count > 1, TimeSpan.FromMilliseconds(300), "a second DeliverMessage");
    }
}
