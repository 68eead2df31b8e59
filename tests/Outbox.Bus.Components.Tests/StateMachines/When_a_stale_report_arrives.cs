using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

/// <summary>A redelivered report of an earlier attempt has nothing left to decide.</summary>
public sealed class When_a_stale_report_arrives
{
    static async Task<(SagaHarness Bus, ScheduleSend Command, DeliverMessage First, DeliverMessage Second)> SecondAttemptInFlight()
    {
        var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.ReportFailed(first, FailureKind.Transient);
        var (second, _) = await bus.WaitForDelivery(command.JobId, 2);
        await bus.WaitForState(command.JobId, m => m.Sending);
        return (bus, command, first, second);
    }

    [Fact]
    public async Task Should_ignore_a_message_sent_for_an_earlier_attempt()
    {
        var (bus, command, first, second) = await SecondAttemptInFlight();
        await using var _ = bus;

        await bus.ReportSent(first);
        await Eventually.True(() => bus.ConsumedBySaga<MessageSent>(m => m.JobId == command.JobId && m.Attempt == 1) == 1,
            "the saga to consume the stale MessageSent");

        var job = await bus.WaitForState(command.JobId, m => m.Sending);
        Assert.False(job.Sent);
        Assert.Equal(2, job.AttemptCount);
        Assert.DoesNotContain(bus.StatusChanges(command.JobId), c => c.Status == JobStatus.Successful);

        // The current attempt's report still counts.
        await bus.ReportSent(second);
        await bus.WaitForState(command.JobId, m => m.Successful);
    }

    [Fact]
    public async Task Should_ignore_a_failure_for_an_earlier_attempt()
    {
        var (bus, command, first, second) = await SecondAttemptInFlight();
        await using var _ = bus;

        await bus.ReportFailed(first, FailureKind.Permanent, "Message rejected: 554 5.7.1 Spam");
        await Eventually.True(() => bus.ConsumedBySaga<MessageDeliveryFailed>(m => m.JobId == command.JobId && m.Attempt == 1) == 2,
            "the saga to consume the stale MessageDeliveryFailed");

        var job = await bus.WaitForState(command.JobId, m => m.Sending);
        Assert.Equal(2, job.AttemptCount);
        Assert.Single(job.Attempts);
        Assert.DoesNotContain(bus.StatusChanges(command.JobId), c => c.Status == JobStatus.Failed);

        await bus.ReportSent(second);
        await bus.WaitForState(command.JobId, m => m.Successful);
    }

    [Fact]
    public async Task Should_ignore_a_report_that_arrives_after_success()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.ReportSent(delivery);
        await bus.WaitForState(command.JobId, m => m.Successful);

        await bus.ReportFailed(delivery, FailureKind.Permanent, "Message rejected: 554 5.7.1 Spam");
        await bus.ReportSent(delivery);
        await Eventually.True(() => bus.ConsumedBySaga<MessageSent>(m => m.JobId == command.JobId) == 2
                                    && bus.ConsumedBySaga<MessageDeliveryFailed>(m => m.JobId == command.JobId) == 1,
            "the saga to consume the late reports");

        var job = await bus.WaitForState(command.JobId, m => m.Successful);
        Assert.Single(job.Attempts);
        Assert.Single(bus.StatusChanges(command.JobId));
    }

    [Fact]
    public async Task Should_ignore_a_repeated_failure_while_delayed()
    {
        await using var bus = await SagaHarness.StartAsync(o => o.FirstRetryInterval = TimeSpan.FromMilliseconds(800));
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.ReportFailed(first, FailureKind.Transient);
        var job = await bus.WaitForState(command.JobId, m => m.Delayed);
        var retryAt = job.SendAt;

        await bus.ReportFailed(first, FailureKind.Transient);
        await Eventually.True(() => bus.ConsumedBySaga<MessageDeliveryFailed>(m => m.JobId == command.JobId && m.Attempt == 1) == 2,
            "the saga to consume the repeated failure");

        job = await bus.WaitForState(command.JobId, m => m.Delayed);
        Assert.Equal(retryAt, job.SendAt);
        Assert.Single(job.Attempts);
        Assert.Single(bus.StatusChanges(command.JobId));
        await bus.WaitForDelivery(command.JobId, 2);
        await Eventually.Never(() => bus.Deliveries(command.JobId).Count > 2, TimeSpan.FromMilliseconds(300), "a third DeliverMessage");
    }
}
