using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

/// <summary>No application-level fallback, but the sender reports that the account connected its own SendGrid key: the
/// saga follows the "with service" rules for that job, and the "without" rules when the report says otherwise.</summary>
public sealed class When_only_the_account_has_a_fallback_key
{
    static void WithoutApplicationFallback(SendJobOptions options)
    {
        options.FallbackEnabled = false;
        options.FirstRetryInterval = TimeSpan.FromMilliseconds(50);
        options.MaxRetryInterval = TimeSpan.FromMilliseconds(200);
    }

    [Fact]
    public async Task Should_route_to_the_fallback_at_once_on_a_daily_limit()
    {
        await using var bus = await SagaHarness.StartAsync(WithoutApplicationFallback);
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);

        await bus.ReportFailed(first, FailureKind.DailyLimit, "Provider daily sending limit reached", "550 5.4.5 Daily sending quota exceeded",
            fallbackAvailable: true);

        var fallback = await Eventually.Get(() => bus.FallbackDeliveries(command.JobId).Select(d => d.Message).FirstOrDefault(),
            "DeliverViaFallback", TimeSpan.FromSeconds(5), () => bus.Describe(command.JobId));
        Assert.Equal(2, fallback.Attempt);
        Assert.True(bus.Job(command.JobId).FallbackAvailable);
    }

    [Fact]
    public async Task Should_keep_retrying_the_provider_when_no_fallback_is_reported()
    {
        await using var bus = await SagaHarness.StartAsync(WithoutApplicationFallback);
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);

        await bus.ReportFailed(first, FailureKind.DailyLimit, "Provider daily sending limit reached", "550 5.4.5 Daily sending quota exceeded");
        var (second, _) = await bus.WaitForDelivery(command.JobId, 2);

        Assert.Equal(command.JobId, second.JobId);
        Assert.Empty(bus.FallbackDeliveries(command.JobId));
        Assert.False(bus.Job(command.JobId).UseFallback);
    }
}
