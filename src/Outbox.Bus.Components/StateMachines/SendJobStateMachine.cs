using MassTransit;
using Microsoft.Extensions.Options;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.StateMachines;

/// <summary>
/// The only writer of a send job's state. It decides when an attempt starts, whether a failure is retried and
/// when to give up; the sender consumer does the I/O and reports back.
/// </summary>
public sealed class SendJobStateMachine : MassTransitStateMachine<SendJobState>
{
    public const string RetryLimitReached = "Reached retry limit datetime";
    public const string InvalidAuthentication = "Invalid authentication";
    public const string CancelledByUser = "Cancelled by user";

    readonly SendJobOptions _options;
    readonly TimeProvider _clock;

    public SendJobStateMachine(IOptions<SendJobOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;

        InstanceState(x => x.CurrentState);

        Event(() => ScheduleRequested, e => e.CorrelateById(m => m.Message.JobId));
        Event(() => UpdateRequested, e => e
            .CorrelateById(m => m.Message.JobId)
            .OnMissingInstance(m => m.ExecuteAsync(c => c.RespondAsync(new JobNotFound(c.Message.JobId)))));
        Event(() => CancelRequested, e => e
            .CorrelateById(m => m.Message.JobId)
            .OnMissingInstance(m => m.ExecuteAsync(c => c.RespondAsync(new JobNotFound(c.Message.JobId)))));
        Event(() => AttemptSucceeded, e => e.CorrelateById(m => m.Message.JobId));
        Event(() => AttemptFailed, e => e.CorrelateById(m => m.Message.JobId));

        Schedule(() => SendDue, x => x.SendDueTokenId, s =>
        {
            s.Delay = TimeSpan.Zero;
            s.Received = r => r.CorrelateById(m => m.Message.JobId);
        });

        Initially(
            When(ScheduleRequested)
                .Then(Accept)
                .TakeRequest()
                .IfElse(c => c.Saga.SendAt <= Now,
                    // A command that waited in a queue past the retry limit (workers down) must not send late.
                    now => now.IfElse(c => Now > c.Saga.RetryLimit,
                        expired => expired.Fail(this, RetryLimitReached),
                        due => due.StartAttempt(this)),
                    later => later
                        .Schedule(SendDue, c => new SendDue(c.Saga.CorrelationId), c => c.Saga.SendAt)
                        .TransitionTo(Pending))
                .IfElse(c => c.Message.SendNow,
                    wait => wait.Then(c =>
                    {
                        c.Saga.WaitingRequestId = c.RequestId;
                        c.Saga.WaitingResponseAddress = c.ResponseAddress;
                    }),
                    reply => reply.RespondIfAsked(c => new SendScheduled(c.Saga.CorrelationId, JobStatus.Of(c.Saga)))));

        // A redelivered or repeated ScheduleSend for a known job changes nothing.
        DuringAny(
            When(ScheduleRequested)
                .RespondIfAsked(c => new SendScheduled(c.Saga.CorrelationId, JobStatus.Of(c.Saga))));

        // Another account's job does not exist, whatever its state.
        DuringAny(
            When(UpdateRequested, c => !OwnedBy(c.Saga, c.Message.AccountId))
                .Respond(c => new JobNotFound(c.Message.JobId)),
            When(CancelRequested, c => !OwnedBy(c.Saga, c.Message.AccountId))
                .Respond(c => new JobNotFound(c.Message.JobId)));

        During(Pending, Delayed,
            When(SendDue.Received)
                .IfElse(c => Now > c.Saga.RetryLimit,
                    expired => expired.Fail(this, RetryLimitReached),
                    due => due.StartAttempt(this)),
            // One reading of the clock decides, so an update on the boundary gets exactly one answer.
            When(UpdateRequested, c => OwnedBy(c.Saga, c.Message.AccountId))
                .IfElse(c => c.Saga.SendAt - Now <= _options.UpdateLockWindow,
                    locked => locked.Respond(c => new SendUpdateRejected(c.Message.JobId,
                        $"The job is due in less than {_options.UpdateLockWindow.TotalMinutes:0.##} minutes and can no longer be updated.")),
                    open => open
                        .Then(c =>
                        {
                            c.Saga.Message = c.Message.Message;
                            c.Saga.MessageId = MessageIds.For(c.Saga.CorrelationId, c.Message.Message);
                            if (c.Message.SendAt != c.Saga.SendAt)
                            {
                                c.Saga.SendAt = c.Message.SendAt;
                                c.Saga.OriginalSendAt = c.Message.SendAt;
                            }
                            c.Saga.RetryLimit = c.Message.RetryLimit;
                            c.Saga.Reason = null;
                            c.Saga.UpdatedAt = Now;
                        })
                        .Schedule(SendDue, c => new SendDue(c.Saga.CorrelationId), c => c.Saga.SendAt)
                        .TransitionTo(Pending)
                        // A delayed job that is updated is pending again: subscribers hear of it.
                        .If(c => c.Saga.AttemptCount > 0, delayed => delayed.PublishStatus())
                        .Respond(c => new SendUpdated(c.Saga.CorrelationId, JobStatus.Of(c.Saga)))));

        During(Pending, Delayed, Failed,
            When(CancelRequested, c => OwnedBy(c.Saga, c.Message.AccountId))
                .Unschedule(SendDue)
                .Then(c =>
                {
                    c.Saga.Reason = CancelledByUser;
                    c.Saga.UpdatedAt = Now;
                })
                .TransitionTo(Cancelled)
                .PublishStatus()
                .Respond(c => new SendCancelled(c.Saga.CorrelationId, CancelledByUser)));

        During(Cancelled,
            When(CancelRequested, c => OwnedBy(c.Saga, c.Message.AccountId))
                .Respond(c => new SendCancelled(c.Saga.CorrelationId, c.Saga.Reason ?? CancelledByUser)));

        During(Sending,
            When(AttemptSucceeded, c => c.Message.Attempt == c.Saga.AttemptCount)
                .Then(c =>
                {
                    c.Saga.Sent = true;
                    c.Saga.Reason = null;
                    c.Saga.UpdatedAt = Now;
                    c.Saga.Attempts.Add(new DeliveryAttempt(c.Message.Attempt, c.Message.SentAt, c.Message.Route, "sent", c.Message.Reply,
                        c.Message.RejectedRecipients is { Count: > 0 } rejected ? rejected : null));
                })
                .Unschedule(SendDue)
                .TransitionTo(Successful)
                .PublishStatus()
                .AnswerWaitingClient(),
            When(AttemptFailed, c => c.Message.Attempt == c.Saga.AttemptCount)
                .Then(c =>
                {
                    c.Saga.UpdatedAt = Now;
                    c.Saga.FallbackAvailable = c.Message.FallbackAvailable;
                    c.Saga.Attempts.Add(new DeliveryAttempt(c.Message.Attempt, c.Message.FailedAt, c.Message.Route,
                        c.Message.Kind.ToString().ToLowerInvariant(), c.Message.Reply ?? c.Message.Reason));
                })
                .IfElse(c => c.Message.Kind == FailureKind.Authentication,
                    auth => auth.Fail(this, InvalidAuthentication),
                    other => other.IfElse(c => c.Message.Kind == FailureKind.Permanent,
                        permanent => permanent.Then(c => c.Saga.Reason = c.Message.Reason).Fail(this),
                        retry => RetryOrGiveUp(retry, c => c.Message.Kind, c => c.Message.Reason)))
                .AnswerWaitingClient(),
            // A stale report from an earlier attempt (redelivered) has nothing left to decide.
            Ignore(AttemptSucceeded, c => c.Message.Attempt != c.Saga.AttemptCount),
            Ignore(AttemptFailed, c => c.Message.Attempt != c.Saga.AttemptCount),
            When(UpdateRequested, c => OwnedBy(c.Saga, c.Message.AccountId))
                .Respond(c => new SendUpdateRejected(c.Message.JobId, "The job is being sent and can no longer be updated.")),
            When(CancelRequested, c => OwnedBy(c.Saga, c.Message.AccountId))
                .Respond(c => new SendCancelRejected(c.Message.JobId,
                    "The job is being sent right now; it can be cancelled only if this attempt fails.")),
            When(SendDue.Received)
                .Then(c =>
                {
                    c.Saga.UpdatedAt = Now;
                    c.Saga.Attempts.Add(new DeliveryAttempt(c.Saga.AttemptCount, Now, c.Saga.UseFallback ? FallbackRoute : "smtp",
                        "timeout", null));
                })
                .Then(c => c.Saga.Reason = AttemptTimedOut(c.Saga))
                .RetryOrGiveUpAfterTimeout(this));

        During(Successful, Failed, Cancelled,
            When(UpdateRequested, c => OwnedBy(c.Saga, c.Message.AccountId))
                .Respond(c => new SendUpdateRejected(c.Message.JobId, $"The job is {JobStatus.Of(c.Saga)} and can no longer be updated.")),
            Ignore(SendDue.Received));

        During(Successful,
            When(CancelRequested, c => OwnedBy(c.Saga, c.Message.AccountId))
                .Respond(c => new SendCancelRejected(c.Message.JobId, "The message has already been sent.")));

        During(Pending, Delayed,
            Ignore(AttemptSucceeded),
            Ignore(AttemptFailed));

        During(Successful, Failed, Cancelled,
            Ignore(AttemptSucceeded),
            Ignore(AttemptFailed));
    }

    public State Pending { get; private set; } = null!;
    public State Sending { get; private set; } = null!;
    public State Delayed { get; private set; } = null!;
    public State Successful { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;

    public Event<ScheduleSend> ScheduleRequested { get; private set; } = null!;
    public Event<UpdateSend> UpdateRequested { get; private set; } = null!;
    public Event<CancelSend> CancelRequested { get; private set; } = null!;
    public Event<MessageSent> AttemptSucceeded { get; private set; } = null!;
    public Event<MessageDeliveryFailed> AttemptFailed { get; private set; } = null!;

    public Schedule<SendJobState, SendDue> SendDue { get; private set; } = null!;

    internal DateTime Now => _clock.GetUtcNow().UtcDateTime;

    /// <summary>The wait grows with the failures on the current route, so the fallback starts its own schedule.</summary>
    internal DateTime NextAttemptAt(SendJobState job) =>
        Now + _options.RetryDelay(job.Attempts.Count(a => (a.Route == FallbackRoute) == job.UseFallback));

    const string FallbackRoute = "sendgrid";

    internal SendJobOptions Options => _options;

    static string AttemptTimedOut(SendJobState job) => $"Attempt {job.AttemptCount} did not report back in time";

    /// <summary>A retryable failure: the fallback when its turn has come, otherwise the next attempt on the schedule,
    /// or failure once no attempt may start before the retry limit.</summary>
    internal EventActivityBinder<SendJobState, T> RetryOrGiveUp<T>(EventActivityBinder<SendJobState, T> binder,
        Func<BehaviorContext<SendJobState, T>, FailureKind> kind, Func<BehaviorContext<SendJobState, T>, string> reason)
        where T : class =>
        binder.IfElse(c => ShouldFallBack(c.Saga, kind(c)) && Now <= c.Saga.RetryLimit,
            // The guide: with a service connected, five attempts, then the service; a daily limit goes to it at once.
            fallback => fallback
                .Then(c =>
                {
                    c.Saga.UseFallback = true;
                    c.Saga.Reason = reason(c);
                })
                .PublishStatus()
                .StartAttempt(this),
            backoff => backoff.IfElse(c => NextAttemptAt(c.Saga) > c.Saga.RetryLimit,
                expired => expired.Fail(this, RetryLimitReached),
                later => later
                    .Then(c =>
                    {
                        c.Saga.SendAt = NextAttemptAt(c.Saga);
                        c.Saga.Reason = reason(c);
                    })
                    .Schedule(SendDue, c => new SendDue(c.Saga.CorrelationId), c => c.Saga.SendAt)
                    .TransitionTo(Delayed)
                    .PublishStatus()));

    bool ShouldFallBack(SendJobState job, FailureKind kind) =>
        (_options.FallbackEnabled || job.FallbackAvailable)
        && !job.UseFallback
        && (kind == FailureKind.DailyLimit || job.Attempts.Count(a => a.Route != FallbackRoute) >= _options.AttemptsBeforeFallback);

    static bool OwnedBy(SendJobState job, string accountId) => string.Equals(job.AccountId, accountId, StringComparison.Ordinal);

    void Accept(BehaviorContext<SendJobState, ScheduleSend> context)
    {
        var job = context.Saga;
        var command = context.Message;
        job.AccountId = command.AccountId;
        job.Message = command.Message;
        job.SendAt = command.SendAt;
        job.OriginalSendAt = command.SendAt;
        job.RetryLimit = command.RetryLimit;
        job.CreatedAt = command.RequestedAt;
        job.UpdatedAt = command.RequestedAt;
        job.MessageId = MessageIds.For(job.CorrelationId, command.Message);
    }
}
