using System.Security.Claims;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Outbox.Bus.Api.Auth;
using Outbox.Bus.Api.Infrastructure;
using Outbox.Bus.Api.Models;
using Outbox.Bus.Components;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Api.Apis;

/// <summary><c>/v2/send</c> and <c>/v2/outbox</c>: create, update and cancel send jobs.</summary>
public static class OutboxApi
{
    public static IEndpointRouteBuilder MapOutboxApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2").RequireAuthorization(OutboxBusApi.AccountPolicy).WithTags("Outbox");
        group.MapPost("/send", Send).WithSummary("Send now (sendnow=true) or schedule a message");
        group.MapPost("/outbox", Schedule).WithSummary("Schedule a message (deprecated alias of /v2/send?sendnow=false)");
        group.MapPatch("/outbox/{id}", Update).WithSummary("Update a scheduled message");
        group.MapPut("/outbox/{id}", Update).WithSummary("Update a scheduled message");
        group.MapDelete("/outbox/{id}", Cancel).WithSummary("Cancel a scheduled message");
        return app;
    }

    public static async Task<Results<Accepted<SendResponse>, Ok<SentMessage>, JsonHttpResult<NylasError>>> Send(
        HttpContext http, ClaimsPrincipal user, string? sendnow, IRequestClient<ScheduleSend> client, ISendEndpointProvider endpoints,
        OutboxBusDbContext db, IOptions<ApiOptions> options, IOptions<SendJobOptions> jobs, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (!bool.TryParse(sendnow ?? "false", out var now))
            return NylasResults.BadRequest("sendnow must be true or false.");
        return now
            ? await SendNow(http, user, client, db, options.Value, jobs.Value, clock, cancellationToken)
            : await Accept(http, user, endpoints, db, options.Value, jobs.Value, clock, cancellationToken);
    }

    public static async Task<Results<Accepted<SendResponse>, Ok<SentMessage>, JsonHttpResult<NylasError>>> Schedule(
        HttpContext http, ClaimsPrincipal user, ISendEndpointProvider endpoints, OutboxBusDbContext db,
        IOptions<ApiOptions> options, IOptions<SendJobOptions> jobs, TimeProvider clock, CancellationToken cancellationToken) =>
        await Accept(http, user, endpoints, db, options.Value, jobs.Value, clock, cancellationToken);

    /// <summary>
    /// The job request and its command commit together (the command through the bus outbox): from here on the job is
    /// durable and readable, which is all a 202 promises, so the answer does not wait for the saga.
    /// </summary>
    static async Task<Results<Accepted<SendResponse>, Ok<SentMessage>, JsonHttpResult<NylasError>>> Accept(
        HttpContext http, ClaimsPrincipal user, ISendEndpointProvider endpoints, OutboxBusDbContext db, ApiOptions options,
        SendJobOptions jobs, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (command, error) = await ReadNewJob(http, user, options, jobs, clock, sendNow: false);
        if (command is null)
            return error!;

        db.JobRequests.Add(JobRequest.For(command));
        var saga = await endpoints.GetSendEndpoint(OutboxBusEndpoints.SendJobState);
        await saga.Send(command, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return Accepted(command, JobStatus.Pending);
    }

    static async Task<Results<Accepted<SendResponse>, Ok<SentMessage>, JsonHttpResult<NylasError>>> SendNow(
        HttpContext http, ClaimsPrincipal user, IRequestClient<ScheduleSend> client, OutboxBusDbContext db, ApiOptions options,
        SendJobOptions jobs, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (command, error) = await ReadNewJob(http, user, options, jobs, clock, sendNow: true);
        if (command is null)
            return error!;

        // Past the wait the job is durable and keeps going: the client gets it as if it had asked to send asynchronously.
        if (await Commit(client, command, db, options.SendNowTimeout, cancellationToken) is not { } outcome)
            return Accepted(command, JobStatus.Pending);
        if (!outcome.Succeeded)
            return NylasResults.Error(StatusCodes.Status422UnprocessableEntity, outcome.Reason ?? "Sending failed.",
                NylasError.ApiError, outcome.Reply);

        var message = command.Message;
        var id = PublicId.Format(command.JobId);
        return TypedResults.Ok(new SentMessage(
            id, "message", command.AccountId, id, $"<{outcome.MessageId}>", message.Subject, message.Body,
            Snippet(message.Body), Participants(message.From), Participants(message.To), Participants(message.Cc),
            Participants(message.Bcc), Participants(message.ReplyTo), JobViews.Unix(command.SendAt), false, false,
            [], [], []));
    }

    /// <summary>
    /// Commits the job request with its command, as <see cref="Accept"/> does, then waits up to <paramref name="wait"/> for
    /// the first attempt's outcome (null when it did not come in time).
    /// </summary>
    static async Task<SendAttempted?> Commit(IRequestClient<ScheduleSend> client, ScheduleSend command, OutboxBusDbContext db,
        TimeSpan wait, CancellationToken cancellationToken)
    {
        var timeout = RequestTimeout.After(ms: (int)wait.TotalMilliseconds);
        db.JobRequests.Add(JobRequest.For(command));
        // A request expires with its timeout by default; this one is the job itself and must wait in the queue for
        // however long no saga worker runs.
        var response = Answer(client.GetResponse<SendAttempted>(command, x => x.UseExecute(send => send.TimeToLive = null),
            cancellationToken, timeout));
        await db.SaveChangesAsync(cancellationToken);
        return await response;
    }

    static async Task<T?> Answer<T>(Task<Response<T>> response)
        where T : class
    {
        try
        {
            return (await response).Message;
        }
        catch (RequestTimeoutException)
        {
            return null;
        }
    }

    static Accepted<SendResponse> Accepted(ScheduleSend command, string status)
    {
        var draft = new JobDraft(command.Message, command.SendAt, command.RetryLimit);
        var body = JobViews.Accepted(command.JobId, command.AccountId, status, draft, command.SendAt);
        return TypedResults.Accepted($"/job-statuses/{body.JobStatusId}", body);
    }

    public static async Task<Results<Ok<SendResponse>, JsonHttpResult<NylasError>>> Update(
        string id, HttpContext http, ClaimsPrincipal user, OutboxBusDbContext db,
        IBus bus, IOptions<ApiOptions> options, IOptions<SendJobOptions> jobOptions,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var (job, untaken) = await JobStatusApi.FindTaken(db, id, user.AccountId(), options.Value.SagaTimeout, cancellationToken);
        if (job is null)
            return untaken ? JobStatusApi.NotYetTaken(id) : JobStatusApi.NotFound(id);

        var (request, readError) = await JsonBody<SendRequest>.Read(http);
        if (request is null)
            return NylasResults.BadRequest(readError!);

        var (draft, error) = OutboxRules.Apply(request, JobViews.Draft(job), Sender(user), options.Value, jobOptions.Value,
            clock.GetUtcNow().UtcDateTime);
        if (draft is null)
            return error!;

        var command = new UpdateSend(job.CorrelationId, job.AccountId, draft.Message, draft.SendAt, draft.RetryLimit);
        // Asked directly, not through the outbox: the answer is the saga's decision, and a client that gets no answer
        // must not find its update applied later.
        var response = await bus.CreateRequestClient<UpdateSend>(OutboxBusEndpoints.SendJobState).GetResponse<SendUpdated, SendUpdateRejected, JobNotFound>(command, cancellationToken,
            RequestTimeout.After(ms: (int)options.Value.SagaTimeout.TotalMilliseconds));

        if (response.Is(out Response<SendUpdated>? updated))
        {
            var originalSendAt = draft.SendAt == job.SendAt ? job.OriginalSendAt : draft.SendAt;
            return TypedResults.Ok(JobViews.Accepted(job.CorrelationId, job.AccountId, updated.Message.Status, draft, originalSendAt));
        }
        if (response.Is(out Response<SendUpdateRejected>? rejected))
            return NylasResults.Conflict(rejected.Message.Reason);
        return JobStatusApi.NotFound(id);
    }

    public static async Task<Results<Ok<JobStatusResponse>, JsonHttpResult<NylasError>>> Cancel(
        string id, ClaimsPrincipal user, OutboxBusDbContext db, IBus bus,
        IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var (job, untaken) = await JobStatusApi.FindTaken(db, id, user.AccountId(), options.Value.SagaTimeout, cancellationToken);
        if (job is null)
            return untaken ? JobStatusApi.NotYetTaken(id) : JobStatusApi.NotFound(id);

        var response = await bus.CreateRequestClient<CancelSend>(OutboxBusEndpoints.SendJobState).GetResponse<SendCancelled, SendCancelRejected, JobNotFound>(
            new CancelSend(job.CorrelationId, job.AccountId), cancellationToken,
            RequestTimeout.After(ms: (int)options.Value.SagaTimeout.TotalMilliseconds));

        if (response.Is(out Response<SendCancelRejected>? rejected))
            return NylasResults.Conflict(rejected.Message.Reason);
        if (!response.Is(out Response<SendCancelled>? _))
            return JobStatusApi.NotFound(id);

        var cancelled = await JobStatusApi.Find(db, id, user.AccountId(), cancellationToken);
        return cancelled is null ? JobStatusApi.NotFound(id) : TypedResults.Ok(JobViews.Status(cancelled));
    }

    static async Task<(ScheduleSend? Command, JsonHttpResult<NylasError>? Error)> ReadNewJob(
        HttpContext http, ClaimsPrincipal user, ApiOptions options, SendJobOptions jobs, TimeProvider clock, bool sendNow)
    {
        var (request, readError) = await JsonBody<SendRequest>.Read(http);
        if (request is null)
            return (null, NylasResults.BadRequest(readError!));

        var now = clock.GetUtcNow().UtcDateTime;
        var (draft, error) = OutboxRules.Apply(request, null, Sender(user), options, jobs, now, sendNow);
        if (draft is null)
            return (null, error);

        return (new ScheduleSend(NewId.NextGuid(), user.AccountId(), draft.Message, draft.SendAt, draft.RetryLimit, now, sendNow), null);
    }

    static EmailAddress Sender(ClaimsPrincipal user) => new(user.Email(), user.Name());

    static List<Participant> Participants(IReadOnlyList<EmailAddress> addresses) =>
        addresses.Select(a => new Participant(a.Email, a.Name)).ToList();

    static string Snippet(string? html)
    {
        var text = Components.Delivery.MimeMessages.ToPlainText(html ?? string.Empty).ReplaceLineEndings(" ");
        return text.Length <= 191 ? text : text[..191];
    }
}
