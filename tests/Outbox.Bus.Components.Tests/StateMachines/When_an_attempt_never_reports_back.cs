using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

/// <summary>A DeliverMessage lost with a dying process (or a sender that hangs) must not leave the job sending forever.</summary>
public sealed class When_an_attempt_never_reports_back
{
    [Fact]
    public async Task Should_count_it_as_a_transient_failure_and_start_the_next_attempt()
    {
        await using var bus = await SagaHarness.StartAsync(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(400));
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, firstAt) = await bus.WaitForDelivery(command.JobId, 1);

        var (second, secondAt) = await bus.WaitForDelivery(command.JobId, 2);

        Assert.True(secondAt - firstAt >= TimeSpan.FromMilliseconds(380), $"attempt 2 started {secondAt - firstAt} after attempt 1");
        Assert.Equal(first.MessageId, second.MessageId);
        var job = bus.Job(command.JobId);
        Assert.Equal("timeout", job.Attempts[0].Outcome);
    }

    [Fact]
    public async Task Should_ignore_the_lost_attempts_late_report()
    {
        await using var bus = await SagaHarness.StartAsync(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(300));
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);
        var (second, _) = await bus.WaitForDelivery(command.JobId, 2);

        await bus.ReportSent(first);
        await Eventually.True(() => bus.ConsumedBySaga<MessageSent>(m => m.JobId == command.JobId) == 1, "the late report consumed");
        Assert.Equal(nameof(SendJobStateMachine.Sending), bus.Job(command.JobId).CurrentState);

        await bus.ReportSent(second);
        var job = await bus.WaitForState(command.JobId, m => m.Successful);
        Assert.Equal(2, job.Attempts.Count);
    }

    [Fact]
    public async Task Should_not_fire_once_the_attempt_reported()
    {
        await using var bus = await SagaHarness.StartAsync(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(300));
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);

        await bus.ReportSent(first);
        await bus.WaitForState(command.JobId, m => m.Successful);
        await Task.Delay(600);

        Assert.Single(bus.Deliveries(command.JobId));
        Assert.Equal(nameof(SendJobStateMachine.Successful), bus.Job(command.JobId).CurrentState);
    }
}
