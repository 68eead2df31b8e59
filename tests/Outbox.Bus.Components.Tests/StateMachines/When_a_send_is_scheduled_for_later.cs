using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_a_send_is_scheduled_for_later
{
    [Fact]
    public async Task Should_answer_send_scheduled_with_status_pending_and_be_pending()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule(sendAt: DateTime.UtcNow.AddSeconds(30));

        var response = await bus.Schedule(command);

        Assert.Equal(command.JobId, response.Message.JobId);
        Assert.Equal(JobStatus.Pending, response.Message.Status);
        var job = await bus.WaitForState(command.JobId, m => m.Pending);
        Assert.Equal(command.AccountId, job.AccountId);
        Assert.Equal(command.SendAt, job.SendAt);
        Assert.Equal(command.SendAt, job.OriginalSendAt);
        Assert.Equal(command.RetryLimit, job.RetryLimit);
        Assert.Equal(0, job.AttemptCount);
        Assert.Equal(JobStatus.Pending, JobStatus.Of(job));
        Assert.NotNull(job.SendDueTokenId);
    }

    [Fact]
    public async Task Should_not_deliver_before_send_at_then_start_attempt_1_when_due()
    {
        await using var bus = await SagaHarness.StartAsync();
        var sendAt = DateTime.UtcNow.AddSeconds(1.5);
        var command = TestMessages.Schedule(sendAt: sendAt);

        await bus.Schedule(command);
        await bus.WaitForState(command.JobId, m => m.Pending);
        await Eventually.Never(() => bus.Deliveries(command.JobId).Count > 0, sendAt - DateTime.UtcNow - TimeSpan.FromMilliseconds(150),
            "a DeliverMessage before send_at");

        var (delivery, sentAt) = await bus.WaitForDelivery(command.JobId, attempt: 1);
        var job = await bus.WaitForState(command.JobId, m => m.Sending);

        Assert.True(sentAt >= sendAt.AddMilliseconds(-50), $"attempt 1 left at {sentAt:O}, before send_at {sendAt:O}");
        Assert.Equal(1, delivery.Attempt);
        Assert.Equal(command.AccountId, delivery.AccountId);
        Assert.Equal(MessageIds.For(command.JobId, command.Message), delivery.MessageId);
        Assert.Equal($"{PublicId.Format(command.JobId)}@example.com", delivery.MessageId);
        Assert.Equal(command.Message.Subject, delivery.Message.Subject);
        Assert.Equal(command.Message.Body, delivery.Message.Body);
        Assert.Equal(["bob@example.com"], delivery.Message.To.Select(a => a.Email));
        Assert.Equal(1, job.AttemptCount);
        Assert.Equal(JobStatus.Pending, JobStatus.Of(job));
        Assert.Single(bus.Deliveries(command.JobId));
    }
}
