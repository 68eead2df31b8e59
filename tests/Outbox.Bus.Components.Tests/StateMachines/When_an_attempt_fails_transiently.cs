using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_an_attempt_fails_transiently
{
    // Long enough to observe the Delayed state reliably, short enough to keep the specs fast.
    static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(400);
    static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(20);
    const string Reason = "Provider deferred the message: 451 4.3.0 Try again later";

    static Task<SagaHarness> Start() => SagaHarness.StartAsync(o =>
    {
        o.FirstRetryInterval = FirstRetry;
        o.RetryMultiplier = 2;
        o.MaxRetryInterval = TimeSpan.FromSeconds(1);
    });

    [Fact]
    public async Task Should_become_delayed_with_the_reason_and_the_next_attempt_time()
    {
        await using var bus = await Start();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);

        var before = DateTime.UtcNow;
        await bus.ReportFailed(first, FailureKind.Transient, Reason, "451 4.3.0 Try again later");
        var job = await bus.WaitForState(command.JobId, m => m.Delayed);
        var after = DateTime.UtcNow;

        Assert.Equal(Reason, job.Reason);
        Assert.Equal(JobStatus.Delayed, JobStatus.Of(job));
        Assert.InRange(job.SendAt, before + FirstRetry, after + FirstRetry);
        Assert.Equal(command.SendAt, job.OriginalSendAt);
        var attempt = Assert.Single(job.Attempts);
        Assert.Equal(("transient", "451 4.3.0 Try again later", "smtp"), (attempt.Outcome, attempt.Reply, attempt.Route));

        var changed = await Eventually.Get(() => bus.StatusChanges(command.JobId).SingleOrDefault(), "JobStatusChanged(delayed)");
        Assert.Equal(JobStatus.Delayed, changed.Status);
        Assert.Equal(Reason, changed.Reason);
        Assert.Null(changed.MessageId);
    }

    [Fact]
    public async Task Should_start_attempt_2_after_the_first_retry_interval_with_the_same_message_id()
    {
        await using var bus = await Start();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);

        var failedAt = DateTime.UtcNow;
        await bus.ReportFailed(first, FailureKind.Transient);
        var (second, sentAt) = await bus.WaitForDelivery(command.JobId, 2);

        Assert.InRange(sentAt - failedAt, FirstRetry - Tolerance, FirstRetry + TimeSpan.FromSeconds(2));
        Assert.Equal(2, second.Attempt);
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(first.Message.Subject, second.Message.Subject);
        Assert.Equal(2, bus.Deliveries(command.JobId).Count);
    }

    [Fact]
    public async Task Should_show_delayed_while_attempt_2_is_in_flight()
    {
        await using var bus = await Start();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);
        Assert.Equal(JobStatus.Pending, JobStatus.Of(await bus.WaitForState(command.JobId, m => m.Sending)));

        await bus.ReportFailed(first, FailureKind.Transient);
        await bus.WaitForDelivery(command.JobId, 2);
        var job = await bus.WaitForState(command.JobId, m => m.Sending);

        Assert.Equal(2, job.AttemptCount);
        Assert.Equal(JobStatus.Delayed, JobStatus.Of(job));
        // The database filter used by the listing agrees with the computed status.
        Assert.True(JobStatus.Filter(JobStatus.Delayed).Compile()(job));
        Assert.False(JobStatus.Filter(JobStatus.Pending).Compile()(job));
    }

    [Fact]
    public async Task Should_wait_longer_before_each_further_attempt()
    {
        await using var bus = await Start();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);

        var failed1 = DateTime.UtcNow;
        await bus.ReportFailed(first, FailureKind.Transient);
        var (second, started2) = await bus.WaitForDelivery(command.JobId, 2);
        var failed2 = DateTime.UtcNow;
        await bus.ReportFailed(second, FailureKind.Transient);
        var job = await bus.WaitForState(command.JobId, m => m.Delayed);
        var retryAt = job.SendAt;
        var (_, started3) = await bus.WaitForDelivery(command.JobId, 3);

        var wait1 = started2 - failed1;
        var wait2 = started3 - failed2;
        Assert.InRange(wait1, FirstRetry - Tolerance, FirstRetry + TimeSpan.FromSeconds(2));
        Assert.InRange(wait2, 2 * FirstRetry - Tolerance, 2 * FirstRetry + TimeSpan.FromSeconds(2));
        Assert.True(wait2 > wait1, $"the second wait ({wait2}) must be longer than the first ({wait1})");
        Assert.InRange(retryAt - failed2, 2 * FirstRetry, 2 * FirstRetry + TimeSpan.FromSeconds(1));
        Assert.Equal(3, bus.Job(command.JobId).AttemptCount);
        Assert.Equal(2, bus.StatusChanges(command.JobId).Count(c => c.Status == JobStatus.Delayed));
    }
}
