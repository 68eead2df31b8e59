using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_attempts_keep_failing_past_the_retry_limit
{
    [Fact]
    public async Task Should_fail_with_reached_retry_limit_datetime_and_start_no_further_attempt()
    {
        // Waits of 200 ms, 400 ms, 800 ms, 1 s: on an idle machine attempts start at about 0, 0.2, 0.6 and 1.4 s and the
        // next would be at 2.4 s, past the limit. How many fit depends on the machine's speed, so the spec checks the rule
        // (no attempt starts after the limit; the job fails once the next one would) rather than a count.
        await using var bus = await SagaHarness.StartAsync();
        var now = DateTime.UtcNow;
        var command = TestMessages.Schedule(sendAt: now, retryLimit: now.AddSeconds(1.5));
        await bus.Schedule(command);

        var attempts = new List<(DeliverMessage Message, DateTime SentAt)>();
        var lastFailureSeen = DateTime.MinValue;
        while (true)
        {
            var next = attempts.Count + 1;
            await Eventually.True(() => bus.Deliveries(command.JobId).Any(d => d.Message.Attempt == next)
                                        || bus.Job(command.JobId).CurrentState == nameof(SendJobStateMachine.Failed),
                $"attempt {next} or the Failed state", describe: () => bus.Describe(command.JobId));
            if (bus.Deliveries(command.JobId).FirstOrDefault(d => d.Message.Attempt == next) is { Message: not null } started)
            {
                attempts.Add(started);
                await bus.WaitForState(command.JobId, m => m.Sending);
                await bus.ReportFailed(started.Message, FailureKind.Transient);
                await Eventually.True(() => bus.ConsumedBySaga<MessageDeliveryFailed>(m => m.JobId == command.JobId && m.Attempt == next) == 1,
                    $"the saga to consume failure {next}");
                lastFailureSeen = DateTime.UtcNow;
                continue;
            }
            break;
        }

        var job = await bus.WaitForState(command.JobId, m => m.Failed);
        Assert.Equal(SendJobStateMachine.RetryLimitReached, job.Reason);
        Assert.Equal("Reached retry limit datetime", job.Reason);
        Assert.Equal(JobStatus.Failed, JobStatus.Of(job));
        Assert.True(attempts.Count >= 2, $"expected at least one retry before the limit, got {attempts.Count} attempt(s)");
        Assert.All(attempts, a => Assert.True(a.SentAt <= command.RetryLimit, $"attempt {a.Message.Attempt} started at {a.SentAt:O}, after the limit"));
        Assert.Equal(attempts.Count, job.Attempts.Count);
        // The saga decided no later than the test saw the last failure consumed, so its next attempt would have passed the limit.
        Assert.True(lastFailureSeen + bus.Options.RetryDelay(attempts.Count) > command.RetryLimit);

        var changes = bus.StatusChanges(command.JobId);
        Assert.Equal(Enumerable.Repeat(JobStatus.Delayed, attempts.Count - 1).Append(JobStatus.Failed), changes.Select(c => c.Status));
        Assert.Equal("Reached retry limit datetime", changes[^1].Reason);

        await Eventually.Never(() => bus.Deliveries(command.JobId).Count > attempts.Count, TimeSpan.FromSeconds(1.2), "an attempt after the retry limit");
        await bus.WaitForState(command.JobId, m => m.Failed);
    }
}
