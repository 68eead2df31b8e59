using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_a_send_is_scheduled_twice
{
    [Fact]
    public async Task Should_change_nothing_and_answer_send_scheduled_again()
    {
        await using var bus = await SagaHarness.StartAsync();
        var first = TestMessages.Schedule(sendAt: DateTime.UtcNow.AddSeconds(30));
        await bus.Schedule(first);
        await bus.WaitForState(first.JobId, m => m.Pending);
        var token = bus.Job(first.JobId).SendDueTokenId;

        // Same job id, different content and "now": a redelivery must not reschedule or overwrite anything.
        var repeated = first with { Message = TestMessages.Email(subject: "Something else"), SendAt = DateTime.UtcNow, RetryLimit = DateTime.UtcNow.AddHours(1) };
        var response = await bus.Schedule(repeated);

        Assert.Equal(first.JobId, response.Message.JobId);
        Assert.Equal(JobStatus.Pending, response.Message.Status);
        await Eventually.Never(() => bus.Deliveries(first.JobId).Count > 0, TimeSpan.FromMilliseconds(600), "a DeliverMessage after the repeated ScheduleSend");
        var job = await bus.WaitForState(first.JobId, m => m.Pending);
        Assert.Equal("Hello", job.Message.Subject);
        Assert.Equal(first.SendAt, job.SendAt);
        Assert.Equal(first.RetryLimit, job.RetryLimit);
        Assert.Equal(token, job.SendDueTokenId);
        Assert.Equal(2, bus.ConsumedBySaga<Contracts.ScheduleSend>(m => m.JobId == first.JobId));
    }

    [Fact]
    public async Task Should_answer_with_the_current_status_and_not_send_again_once_sent()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.ReportSent(delivery);
        await bus.WaitForState(command.JobId, m => m.Successful);

        var response = await bus.Schedule(command);

        Assert.Equal(JobStatus.Successful, response.Message.Status);
        await Eventually.Never(() => bus.Deliveries(command.JobId).Count > 1, TimeSpan.FromMilliseconds(400), "a second DeliverMessage");
        await bus.WaitForState(command.JobId, m => m.Successful);
    }
}
