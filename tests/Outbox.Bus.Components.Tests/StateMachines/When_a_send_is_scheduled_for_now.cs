using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_a_send_is_scheduled_for_now
{
    [Fact]
    public async Task Should_start_attempt_1_at_once_and_answer_pending()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule(sendAt: DateTime.UtcNow);

        var response = await bus.Schedule(command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, attempt: 1, timeout: TimeSpan.FromSeconds(5));
        var job = await bus.WaitForState(command.JobId, m => m.Sending);

        Assert.Equal(JobStatus.Pending, response.Message.Status);
        Assert.Equal(1, job.AttemptCount);
        Assert.NotNull(job.SendDueTokenId); // the attempt's watchdog (Jobs:AttemptTimeout)
        Assert.Equal(MessageIds.For(command.JobId, command.Message), delivery.MessageId);
        Assert.Equal(job.MessageId, delivery.MessageId);
        Assert.Equal(JobStatus.Pending, JobStatus.Of(job));
        Assert.Empty(bus.StatusChanges(command.JobId));
    }

    [Fact]
    public async Task Should_send_at_once_when_send_at_is_already_past()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule(sendAt: DateTime.UtcNow.AddSeconds(-3));

        await bus.Schedule(command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, attempt: 1, timeout: TimeSpan.FromSeconds(5));

        Assert.Equal(command.JobId, delivery.JobId);
        await bus.WaitForState(command.JobId, m => m.Sending);
    }
}
