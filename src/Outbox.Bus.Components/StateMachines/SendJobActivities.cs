using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.StateMachines;

/// <summary>Steps that several transitions of <see cref="SendJobStateMachine"/> share.</summary>
static class SendJobActivities
{
    public static EventActivityBinder<SendJobState, T> StartAttempt<T>(this EventActivityBinder<SendJobState, T> binder,
        SendJobStateMachine machine)
        where T : class =>
        binder
            .Then(c =>
            {
                c.Saga.AttemptCount++;
                c.Saga.UpdatedAt = machine.Now;
            })
            .TransitionTo(machine.Sending)
            // The watchdog: while sending, SendDue means the attempt never reported back.
            .Schedule(machine.SendDue, c => new SendDue(c.Saga.CorrelationId), _ => machine.Now + machine.Options.AttemptTimeout)
            .IfElse(c => c.Saga.UseFallback,
                fallback => fallback.Send(OutboxBusEndpoints.DeliverViaFallback, c => new DeliverViaFallback(
                    c.Saga.CorrelationId, c.Saga.AccountId, c.Saga.AttemptCount, c.Saga.MessageId, c.Saga.Message)),
                provider => provider.Send(OutboxBusEndpoints.DeliverMessage, c => new DeliverMessage(
                    c.Saga.CorrelationId, c.Saga.AccountId, c.Saga.AttemptCount, c.Saga.MessageId, c.Saga.Message)));

    /// <summary>The API's record of the accepted job (<see cref="JobRequest"/>) has served once the job's state exists: it
    /// goes in the same transaction, on the saga's own DbContext.</summary>
    public static EventActivityBinder<SendJobState, ScheduleSend> TakeRequest(this EventActivityBinder<SendJobState, ScheduleSend> binder) =>
        binder.ThenAsync(async c =>
        {
            // The specs' in-memory repository runs without a database.
            if (c.TryGetPayload<IServiceProvider>(out var services) && services.GetService<OutboxBusDbContext>() is { } db)
                await db.JobRequests.Where(r => r.JobId == c.Saga.CorrelationId).ExecuteDeleteAsync(c.CancellationToken);
        });

    /// <summary>Answers the API only when it asked (<c>sendnow</c>, or an older API): a reply nobody awaits would be
    /// published to the bus.</summary>
    public static EventActivityBinder<SendJobState, T> RespondIfAsked<T, TResponse>(this EventActivityBinder<SendJobState, T> binder,
        EventMessageFactory<SendJobState, T, TResponse> response)
        where T : class
        where TResponse : class =>
        binder.If(c => c.RequestId.HasValue && c.ResponseAddress is not null, asked => asked.Respond(response));

    public static EventActivityBinder<SendJobState, T> Fail<T>(this EventActivityBinder<SendJobState, T> binder,
        SendJobStateMachine machine, string? reason = null)
        where T : class =>
        binder
            .Then(c =>
            {
                if (reason is not null)
                    c.Saga.Reason = reason;
                c.Saga.UpdatedAt = machine.Now;
            })
            .Unschedule(machine.SendDue)
            .TransitionTo(machine.Failed)
            .PublishStatus();

    public static EventActivityBinder<SendJobState, T> PublishStatus<T>(this EventActivityBinder<SendJobState, T> binder)
        where T : class =>
        binder.Publish(c => new JobStatusChanged(
            c.Saga.CorrelationId, c.Saga.AccountId, JobStatus.Of(c.Saga), c.Saga.Reason,
            c.Saga.Sent ? c.Saga.MessageId : null, c.Saga.UpdatedAt));

    /// <summary>A <c>sendnow</c> client waits for the first attempt's outcome, whatever it is.</summary>
    public static EventActivityBinder<SendJobState, T> AnswerWaitingClient<T>(this EventActivityBinder<SendJobState, T> binder)
        where T : class =>
        binder.If(c => c.Saga.WaitingResponseAddress is not null, answer => answer.ThenAsync(async c =>
        {
            // Taken before the fields are cleared: the outbox sends (and runs send callbacks) only after the saga is
            // saved, when the saga no longer holds the request id.
            var address = c.Saga.WaitingResponseAddress!;
            var requestId = c.Saga.WaitingRequestId;
            c.Saga.WaitingRequestId = null;
            c.Saga.WaitingResponseAddress = null;

            var outcome = new SendAttempted(c.Saga.CorrelationId, c.Saga.Sent, JobStatus.Of(c.Saga),
                c.Saga.Sent ? c.Saga.MessageId : null, c.Saga.Reason, c.Saga.Attempts.LastOrDefault()?.Reply);
            var endpoint = await c.GetSendEndpoint(address);
            await endpoint.Send(outcome, send => send.RequestId = requestId, c.CancellationToken);
        }));

    public static EventActivityBinder<SendJobState, SendDue> RetryOrGiveUpAfterTimeout(
        this EventActivityBinder<SendJobState, SendDue> binder, SendJobStateMachine machine) =>
        machine.RetryOrGiveUp(binder, _ => FailureKind.Transient, c => c.Saga.Reason ?? "The attempt did not report back in time");
}
