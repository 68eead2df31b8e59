using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_an_attempt_fails_with_invalid_authentication
{
    [Fact]
    public async Task Should_fail_at_once_with_invalid_authentication_and_never_retry()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, 1);

        await bus.ReportFailed(delivery, FailureKind.Authentication, "Invalid authentication", "535 5.7.8 Authentication failed");
        var job = await bus.WaitForState(command.JobId, m => m.Failed, timeout: TimeSpan.FromSeconds(2));

        Assert.Equal(SendJobStateMachine.InvalidAuthentication, job.Reason);
        Assert.Equal("Invalid authentication", job.Reason);
        Assert.Null(job.SendDueTokenId);
        Assert.Equal("authentication", Assert.Single(job.Attempts).Outcome);
        var changed = await Eventually.Get(() => bus.StatusChanges(command.JobId).SingleOrDefault(), "JobStatusChanged(failed)");
        Assert.Equal((JobStatus.Failed, "Invalid authentication"), (changed.Status, changed.Reason));

        // Two retry intervals and more: no second attempt.
        await Eventually.Never(() => bus.Deliveries(command.JobId).Count > 1, TimeSpan.FromMilliseconds(800), "a retry after invalid authentication");
    }
}
