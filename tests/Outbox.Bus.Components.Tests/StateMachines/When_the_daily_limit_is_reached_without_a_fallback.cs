using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_the_daily_limit_is_reached_without_a_fallback
{
    [Fact]
    public async Task Should_be_delayed_and_retried_like_a_transient_failure()
    {
        const string reason = "Provider daily sending limit reached";
        await using var bus = await SagaHarness.StartAsync(o => o.FirstRetryInterval = TimeSpan.FromMilliseconds(400));
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);

        var failedAt = DateTime.UtcNow;
        await bus.ReportFailed(first, FailureKind.DailyLimit, reason, "550 5.4.5 Daily sending quota exceeded");
        var job = await bus.WaitForState(command.JobId, m => m.Delayed);
        Assert.Equal(reason, job.Reason);
        Assert.Equal("dailylimit", job.Attempts.Single().Outcome);

        var (second, sentAt) = await bus.WaitForDelivery(command.JobId, 2);
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.True(sentAt - failedAt >= TimeSpan.FromMilliseconds(380), $"attempt 2 started {sentAt - failedAt} after the failure");
        await bus.WaitForState(command.JobId, m => m.Sending);
    }
}
