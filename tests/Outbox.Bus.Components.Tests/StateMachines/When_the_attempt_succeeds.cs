using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_the_attempt_succeeds
{
    [Fact]
    public async Task Should_become_successful_and_publish_the_status_with_the_message_id()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, 1);

        await bus.ReportSent(delivery);
        var job = await bus.WaitForState(command.JobId, m => m.Successful);
        var changed = await Eventually.Get(() => bus.StatusChanges(command.JobId).SingleOrDefault(), "JobStatusChanged");

        Assert.True(job.Sent);
        Assert.Null(job.Reason);
        Assert.Equal(JobStatus.Successful, JobStatus.Of(job));
        Assert.Equal(JobStatus.Successful, changed.Status);
        Assert.Equal(delivery.MessageId, changed.MessageId);
        Assert.Equal(command.AccountId, changed.AccountId);
        Assert.Null(changed.Reason);
    }

    [Fact]
    public async Task Should_record_the_attempt_with_its_route_and_reply()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, 1);

        await bus.ReportSent(delivery, route: "smtp", reply: "250 2.0.0 Ok: queued as ABC");
        var job = await bus.WaitForState(command.JobId, m => m.Successful);

        var attempt = Assert.Single(job.Attempts);
        Assert.Equal(1, attempt.Number);
        Assert.Equal("smtp", attempt.Route);
        Assert.Equal("sent", attempt.Outcome);
        Assert.Equal("250 2.0.0 Ok: queued as ABC", attempt.Reply);
    }
}
