using MassTransit;
using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

/// <summary><c>sendnow</c>: the requester waits for the first attempt's outcome (SendAttempted), not for SendScheduled.</summary>
public sealed class When_a_send_now_job_is_attempted
{
    static Task<Response<SendAttempted, SendScheduled>> Request(SagaHarness bus, ScheduleSend command) =>
        bus.Harness.GetRequestClient<ScheduleSend>().GetResponse<SendAttempted, SendScheduled>(command, timeout: RequestTimeout.After(s: 10));

    /// <summary>Waits for the saga's answer and checks that it is addressed to the waiting request, then for the client to get it.</summary>
    static async Task<SendAttempted> Answer(SagaHarness bus, ScheduleSend command, Task<Response<SendAttempted, SendScheduled>> request)
    {
        var requestId = bus.RequestIdOf<ScheduleSend>(m => m.JobId == command.JobId);
        Assert.NotNull(requestId);
        var sent = await Eventually.Get(() => bus.SentMessages<SendAttempted>().Where(m => m.Message.JobId == command.JobId)
            .Select(m => new Tuple<SendAttempted, Guid?>(m.Message, m.RequestId)).FirstOrDefault(), "the saga to send SendAttempted");
        // Without the request's RequestId the request client cannot match the answer and the sendnow caller times out.
        Assert.True(requestId == sent.Item2,
            $"SendAttempted was sent with RequestId '{sent.Item2?.ToString() ?? "null"}', not the waiting request's {requestId}");

        var response = await request;
        return Assert.IsType<SendAttempted>(response.Message);
    }

    [Fact]
    public async Task Should_answer_succeeded_with_the_message_id_after_message_sent()
    {
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule(sendNow: true);

        var request = Request(bus, command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.WaitForState(command.JobId, m => m.Sending);
        Assert.False(request.IsCompleted, "the sendnow client must wait for the attempt's outcome");
        await bus.ReportSent(delivery, reply: "250 2.0.0 Ok: queued as XYZ");
        var attempted = await Answer(bus, command, request);

        Assert.Equal(command.JobId, attempted.JobId);
        Assert.True(attempted.Succeeded);
        Assert.Equal(JobStatus.Successful, attempted.Status);
        Assert.Equal(delivery.MessageId, attempted.MessageId);
        Assert.Null(attempted.Reason);
        Assert.Equal("250 2.0.0 Ok: queued as XYZ", attempted.Reply);
        Assert.DoesNotContain(bus.Outgoing<SendScheduled>(), m => m.JobId == command.JobId);
        var job = await bus.WaitForState(command.JobId, m => m.Successful);
        Assert.Null(job.WaitingResponseAddress);
        Assert.Null(job.WaitingRequestId);
    }

    [Fact]
    public async Task Should_answer_not_succeeded_with_the_reason_after_a_permanent_failure()
    {
        const string reason = "Recipient bob@example.com rejected: 550 5.1.1 Mailbox unavailable";
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule(sendNow: true);

        var request = Request(bus, command);
        var (delivery, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.ReportFailed(delivery, FailureKind.Permanent, reason, "550 5.1.1 Mailbox unavailable");
        var attempted = await Answer(bus, command, request);

        Assert.False(attempted.Succeeded);
        Assert.Equal(JobStatus.Failed, attempted.Status);
        Assert.Null(attempted.MessageId);
        Assert.Equal(reason, attempted.Reason);
        Assert.Equal("550 5.1.1 Mailbox unavailable", attempted.Reply);
        Assert.DoesNotContain(bus.Outgoing<SendScheduled>(), m => m.JobId == command.JobId);
    }

    [Fact]
    public async Task Should_answer_not_succeeded_and_delayed_after_a_transient_failure_and_answer_only_once()
    {
        const string reason = "Provider deferred the message: 451 4.3.0 Try again later";
        await using var bus = await SagaHarness.StartAsync();
        var command = TestMessages.Schedule(sendNow: true);

        var request = Request(bus, command);
        var (first, _) = await bus.WaitForDelivery(command.JobId, 1);
        await bus.ReportFailed(first, FailureKind.Transient, reason);
        var attempted = await Answer(bus, command, request);

        Assert.False(attempted.Succeeded);
        Assert.Equal(JobStatus.Delayed, attempted.Status);
        Assert.Equal(reason, attempted.Reason);

        // The retry goes on in the background; its success answers nobody.
        var (second, _) = await bus.WaitForDelivery(command.JobId, 2);
        await bus.ReportSent(second);
        await bus.WaitForState(command.JobId, m => m.Successful);
        Assert.Single(bus.Outgoing<SendAttempted>(), m => m.JobId == command.JobId);
        Assert.DoesNotContain(bus.Outgoing<SendScheduled>(), m => m.JobId == command.JobId);
    }
}
