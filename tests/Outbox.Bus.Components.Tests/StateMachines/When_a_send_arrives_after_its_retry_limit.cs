using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;

namespace Outbox.Bus.Components.Tests.StateMachines;

/// <summary>A ScheduleSend that sat in a queue (no saga worker running) until its retry limit had passed: due at once, but
/// too late for any attempt.</summary>
public sealed class When_a_send_arrives_after_its_retry_limit
{
    [Fact]
    public async Task Should_fail_without_an_attempt()
    {
        await using var bus = await SagaHarness.StartAsync();
        var now = DateTime.UtcNow;
        var command = TestMessages.Schedule(sendAt: now.AddMinutes(-10), retryLimit: now.AddMinutes(-1));

        await bus.Schedule(command);
        var job = await bus.WaitForState(command.JobId, m => m.Failed);

        Assert.Equal(SendJobStateMachine.RetryLimitReached, job.Reason);
        Assert.Equal(0, job.AttemptCount);
        Assert.Empty(bus.Deliveries(command.JobId));
    }
}
