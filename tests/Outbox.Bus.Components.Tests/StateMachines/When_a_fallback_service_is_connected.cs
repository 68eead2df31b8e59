using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_a_fallback_service_is_connected
{
    static void WithFallback(SendJobOptions options)
    {
        options.FallbackEnabled = true;
        options.FirstRetryInterval = TimeSpan.FromMilliseconds(50);
        options.MaxRetryInterval = TimeSpan.FromMilliseconds(200);
    }

    [Fact]
    public async Task Should_give_the_provider_five_attempts_then_route_the_sixth_to_the_fallback()
    {
        await using var bus = await SagaHarness.StartAsync(WithFallback);
        var command = TestMessages.Schedule();
        await bus.Schedule(command);

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var (delivery, _) = await bus.WaitForDelivery(command.JobId, attempt);
            Assert.Empty(bus.FallbackDeliveries(command.JobId));
            await bus.ReportFailed(delivery, FailureKind.Transient);
        }

        var fallback = await Eventually.Get(() => bus.FallbackDeliveries(command.JobId).Select(d => d.Message).FirstOrDefault(),
            "DeliverViaFallback", describe: () => bus.Describe(command.JobId));
        Assert.Equal(6, fallback.Attempt);
        Assert.Equal(command.Message.Subject, fallback.Message.Subject);
        Assert.Equal(command.Message.To.Select(a => a.Email), fallback.Message.To.Select(a => a.Email));
        Assert.Equal(5, bus.Deliveries(command.JobId).Count);
        Assert.True(bus.Job(command.JobId).UseFallback);

        await bus.Harness.Bus.Publish(new MessageSent(command.JobId, 6, fallback.MessageId, "sendgrid", "msg-1", DateTime.UtcNow));
        var job = await bus.WaitForState(command.JobId, m => m.Successful);
        Assert.Equal(["smtp", "smtp", "smtp", "smtp", "smtp", "sendgrid"], job.Attempts.Select(a => a.Route));
    }

    [Fact]
    public async Task Should_route_to_the_fallback_at_once_on_a_daily_limit()
    {
        await using var bus = await SagaHarness.StartAsync(o =>
        {
            WithFallback(o);
            o.FirstRetryInterval = TimeSpan.FromSeconds(30); // a backoff would show as a long wait
        });
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);

        await bus.ReportFailed(first, FailureKind.DailyLimit, "Provider daily sending limit reached", "550 5.4.5 Daily sending quota exceeded");

        var fallback = await Eventually.Get(() => bus.FallbackDeliveries(command.JobId).Select(d => d.Message).FirstOrDefault(),
            "DeliverViaFallback", TimeSpan.FromSeconds(5), () => bus.Describe(command.JobId));
        Assert.Equal(2, fallback.Attempt);
        Assert.Single(bus.Deliveries(command.JobId));
    }

    [Fact]
    public async Task Should_fail_with_the_fallback_reason_when_the_fallback_rejects_the_message()
    {
        await using var bus = await SagaHarness.StartAsync(o =>
        {
            WithFallback(o);
            o.AttemptsBeforeFallback = 1;
        });
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.ReportFailed(first, FailureKind.Transient);
        var fallback = await Eventually.Get(() => bus.FallbackDeliveries(command.JobId).Select(d => d.Message).FirstOrDefault(),
            "DeliverViaFallback", describe: () => bus.Describe(command.JobId));

        const string reason = "The sender sender@example.com is not verified with the fallback service";
        await bus.Harness.Bus.Publish(new MessageDeliveryFailed(command.JobId, fallback.Attempt, FailureKind.Permanent, reason,
            "sendgrid", null, DateTime.UtcNow));

        var job = await bus.WaitForState(command.JobId, m => m.Failed);
        Assert.Equal(reason, job.Reason);
        Assert.Equal("sendgrid", job.Attempts.Last().Route);
    }

    [Fact]
    public async Task Should_retry_the_fallback_on_its_own_schedule_when_it_fails_transiently()
    {
        await using var bus = await SagaHarness.StartAsync(o =>
        {
            WithFallback(o);
            o.AttemptsBeforeFallback = 1;
        });
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.ReportFailed(first, FailureKind.Transient);
        var fallback = await Eventually.Get(() => bus.FallbackDeliveries(command.JobId).Select(d => d.Message).FirstOrDefault(),
            "DeliverViaFallback", describe: () => bus.Describe(command.JobId));

        await bus.Harness.Bus.Publish(new MessageDeliveryFailed(command.JobId, fallback.Attempt, FailureKind.Transient,
            "SendGrid answered 500", "sendgrid", "500", DateTime.UtcNow));
        await bus.WaitForState(command.JobId, m => m.Delayed);

        var retry = await Eventually.Get(() => bus.FallbackDeliveries(command.JobId).Select(d => d.Message).FirstOrDefault(d => d.Attempt == 3),
            "a second DeliverViaFallback", describe: () => bus.Describe(command.JobId));
        Assert.Equal(3, retry.Attempt);
        Assert.Single(bus.Deliveries(command.JobId));
    }
}

public sealed class When_no_fallback_service_is_connected
{
    [Fact]
    public async Task Should_keep_retrying_the_provider_after_five_failures()
    {
        await using var bus = await SagaHarness.StartAsync(o =>
        {
            o.FirstRetryInterval = TimeSpan.FromMilliseconds(50);
            o.MaxRetryInterval = TimeSpan.FromMilliseconds(200);
        });
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var (delivery, _) = await bus.WaitForDelivery(command.JobId, attempt);
            await bus.ReportFailed(delivery, attempt == 3 ? FailureKind.DailyLimit : FailureKind.Transient);
        }

        var (sixth, _) = await bus.WaitForDelivery(command.JobId, 6);
        Assert.Equal(command.JobId, sixth.JobId);
        Assert.Empty(bus.FallbackDeliveries(command.JobId));
    }
}
