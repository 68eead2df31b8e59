using MassTransit;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// Runs the caller's send pipe, then marks the send as scheduled: the outbox turns the mark into the row's due time and
/// token, and the token also travels as <c>MT-Scheduling-TokenId</c>, which is how a state machine tells its current
/// schedule from a stale one when the message arrives.
/// </summary>
sealed class ScheduledSendPipe<T>(IPipe<SendContext<T>> pipe, ScheduledSend schedule) : IPipe<SendContext<T>>
    where T : class
{
    public async Task Send(SendContext<T> context)
    {
        await pipe.Send(context);

        context.ScheduledMessageId = schedule.TokenId;
        context.Headers.Set(MessageHeaders.SchedulingTokenId, schedule.TokenId.ToString("D"));
        context.AddOrUpdatePayload(() => schedule, _ => schedule);
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateScope("entityFrameworkSchedule");
        scope.Add("scheduledTime", schedule.ScheduledTime);
        pipe.Probe(scope);
    }
}
