using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

/// <summary>Updates are accepted only while the job is pending or delayed.</summary>
public sealed class When_a_job_that_is_no_longer_waiting_is_updated
{
    static UpdateSend UpdateOf(ScheduleSend command)
    {
        var later = DateTime.UtcNow.AddHours(1);
        return new UpdateSend(command.JobId, command.AccountId, TestMessages.Email(subject: "Updated"), later, later.AddHours(24));
    }

    static async Task AssertRejected(SagaHarness bus, ScheduleSend command, Func<SendJobStateMachine, MassTransit.State> state)
    {
        var response = await bus.Update(UpdateOf(command));

        var rejected = Assert.IsType<SendUpdateRejected>(response);
        Assert.Equal(command.JobId, rejected.JobId);
        var job = await bus.WaitForState(command.JobId, state);
        Assert.Equal("Hello", job.Message.Subject);
        Assert.Equal(command.SendAt, job.OriginalSendAt);
    }

    [Fact]
    public async Task Should_reject_it_while_sending()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        await bus.WaitForDelivery(command.JobId, 1);
        await bus.WaitForState(command.JobId, m => m.Sending);

        await AssertRejected(bus, command, m => m.Sending);
    }

    [Fact]
    public async Task Should_reject_it_once_successful()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.ReportSent(delivery);
        await bus.WaitForState(command.JobId, m => m.Successful);

        await AssertRejected(bus, command, m => m.Successful);
    }

    [Fact]
    public async Task Should_reject_it_once_failed()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule();
        await bus.Schedule(command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.ReportFailed(delivery, FailureKind.Permanent, "Message rejected: 554 5.7.1 Spam");
        await bus.WaitForState(command.JobId, m => m.Failed);

        await AssertRejected(bus, command, m => m.Failed);
    }

    [Fact]
    public async Task Should_reject_it_once_cancelled()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule(sendAt: DateTime.UtcNow.AddMinutes(10));
        await bus.Schedule(command);
        Assert.IsType<SendCancelled>(await bus.Cancel(command.JobId));
        await bus.WaitForState(command.JobId, m => m.Cancelled);

        await AssertRejected(bus, command, m => m.Cancelled);
    }
}
