using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;

namespace Outbox.Bus.Components.Tests.StateMachines;

/// <summary>No attempt starts after <c>retry_limit_datetime</c>, even the first.</summary>
public sealed class When_a_job_comes_due_after_its_retry_limit
{
    static Contracts.ScheduleSend Command()
    {
        var now = DateTime.UtcNow;
        return TestMessages.Schedule(sendAt: now.AddMilliseconds(400), retryLimit: now.AddMilliseconds(100));
    }

    [Fact]
    public async Task Should_fail_with_reached_retry_limit_datetime_without_an_attempt()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = Command();
        await bus.Schedule(command);

        var job = await bus.WaitForState(command.JobId, m => m.Failed);

        Assert.Equal(SendJobStateMachine.RetryLimitReached, job.Reason);
        Assert.Equal(0, job.AttemptCount);
        Assert.Empty(bus.Deliveries(command.JobId));
        var changed = await Eventually.Get(() => bus.StatusChanges(command.JobId).SingleOrDefault(), "JobStatusChanged(failed)");
        Assert.Equal((JobStatus.Failed, SendJobStateMachine.RetryLimitReached), (changed.Status, changed.Reason));
    }

    [Fact]
    public async Task Should_stamp_the_failure_with_the_time_it_happened()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = Command();
        await bus.Schedule(command);

        var job = await bus.WaitForState(command.JobId, m => m.Failed);
        var changed = await Eventually.Get(() => bus.StatusChanges(command.JobId).SingleOrDefault(), "JobStatusChanged(failed)");

        // The job failed when it came due (about send_at), not when it was requested.
        var dueAt = command.SendAt.AddMilliseconds(-50);
        Assert.True(changed.ChangedAt >= dueAt,
            $"JobStatusChanged.ChangedAt is {changed.ChangedAt:O}; the job failed at about {command.SendAt:O} (requested {command.RequestedAt:O})");
        Assert.True(job.UpdatedAt >= dueAt, $"UpdatedAt is {job.UpdatedAt:O}, before the job failed at about {command.SendAt:O}");
    }
}
