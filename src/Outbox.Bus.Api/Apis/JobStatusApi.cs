using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Outbox.Bus.Api.Auth;
using Outbox.Bus.Api.Infrastructure;
using Outbox.Bus.Api.Models;
using Outbox.Bus.Components;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Components.StateMachines;

namespace Outbox.Bus.Api.Apis;

/// <summary><c>/job-statuses</c>: reads go straight to the saga's state, never through the bus; a job accepted but not yet
/// taken by a saga is read from its <see cref="JobRequest"/>.</summary>
public static class JobStatusApi
{
    public static IEndpointRouteBuilder MapJobStatusApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/job-statuses").RequireAuthorization(OutboxBusApi.AccountPolicy).WithTags("Job statuses");
        group.MapGet("/", List).WithSummary("This account's jobs, newest first");
        group.MapGet("/{id}", Get).WithSummary("One job's status");
        return app;
    }

    public static async Task<Results<Ok<JobStatusResponse>, JsonHttpResult<NylasError>>> Get(
        string id, ClaimsPrincipal user, OutboxBusDbContext db, CancellationToken cancellationToken)
    {
        var job = await Find(db, id, user.AccountId(), cancellationToken);
        return job is null ? NotFound(id) : TypedResults.Ok(JobViews.Status(job));
    }

    public static async Task<Results<Ok<List<JobStatusResponse>>, JsonHttpResult<NylasError>>> List(
        ClaimsPrincipal user, OutboxBusDbContext db, IOptions<ApiOptions> options, string? limit, string? offset, string? status,
        CancellationToken cancellationToken)
    {
        // Parsed here rather than bound as int?, so a bad value answers in the Nylas error shape.
        if (!TryCount(limit, 100, out var take) || take < 1 || take > options.Value.MaxPageSize)
            return NylasResults.BadRequest($"limit must be a whole number between 1 and {options.Value.MaxPageSize}.");
        if (!TryCount(offset, 0, out var skip) || skip < 0)
            return NylasResults.BadRequest("offset must be a whole number, 0 or more.");
        if (status is not null && !JobStatus.All.Contains(status))
            return NylasResults.BadRequest($"status must be one of {string.Join(", ", JobStatus.All)}.");

        var accountId = user.AccountId();
        // Read before the jobs: a request taken in between then shows up in both (and the saga's row wins) rather than in
        // neither.
        var requested = status is null or JobStatus.Pending
            ? await db.JobRequests.AsNoTracking().Where(r => r.AccountId == accountId)
                .OrderByDescending(r => r.RequestedAt).ThenByDescending(r => r.JobId)
                .Take(skip + take).ToListAsync(cancellationToken)
            : [];

        var jobs = db.SendJobs.AsNoTracking().Where(j => j.AccountId == accountId);
        if (status is not null)
            jobs = jobs.Where(JobStatus.Filter(status));
        jobs = jobs.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.CorrelationId);

        if (requested.Count == 0)
            return TypedResults.Ok((await jobs.Skip(skip).Take(take).ToListAsync(cancellationToken)).Select(JobViews.Status).ToList());

        // Rare (a backlog, or no saga worker running): merge the two, newest first, then page.
        var taken = await jobs.Take(skip + take).ToListAsync(cancellationToken);
        var ids = taken.Select(j => j.CorrelationId).ToHashSet();
        return TypedResults.Ok(taken
            .Concat(requested.Where(r => !ids.Contains(r.JobId)).Select(r => r.AsPendingJob()))
            .OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.CorrelationId)
            .Skip(skip).Take(take)
            .Select(JobViews.Status).ToList());
    }

    static bool TryCount(string? text, int fallback, out int value)
    {
        value = fallback;
        return text is null || int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    /// <summary>The job, if it exists and belongs to the account; otherwise null, so both cases look alike.</summary>
    public static async Task<SendJobState?> Find(OutboxBusDbContext db, string id, string accountId, CancellationToken cancellationToken)
    {
        if (!PublicId.TryParse(id, out var jobId))
            return null;
        if (await Taken(db, jobId, accountId, cancellationToken) is { } job)
            return job;
        if (await Requested(db, jobId, accountId, cancellationToken) is { } request)
            return request.AsPendingJob();
        // Taken between the two reads: the saga creates its row and deletes the request in one transaction.
        return await Taken(db, jobId, accountId, cancellationToken);
    }

    /// <summary>
    /// For a change only the saga may decide (update, cancel): the job once a saga has taken it. A job accepted a moment
    /// ago may still be on its way to the saga, so it is waited for up to <paramref name="wait"/>; <c>Untaken</c> says
    /// it exists but no saga took it in time.
    /// </summary>
    public static async Task<(SendJobState? Job, bool Untaken)> FindTaken(OutboxBusDbContext db, string id, string accountId,
        TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!PublicId.TryParse(id, out var jobId))
            return (null, false);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            if (await Taken(db, jobId, accountId, cancellationToken) is { } job)
                return (job, false);
            if (await Requested(db, jobId, accountId, cancellationToken) is null)
                return (await Taken(db, jobId, accountId, cancellationToken), false);
            if (DateTime.UtcNow >= deadline)
                return (null, true);
            await Task.Delay(TakenPollInterval, cancellationToken);
        }
    }

    static readonly TimeSpan TakenPollInterval = TimeSpan.FromMilliseconds(25);

    static Task<SendJobState?> Taken(OutboxBusDbContext db, Guid jobId, string accountId, CancellationToken cancellationToken) =>
        db.SendJobs.AsNoTracking().SingleOrDefaultAsync(j => j.CorrelationId == jobId && j.AccountId == accountId, cancellationToken);

    static Task<JobRequest?> Requested(OutboxBusDbContext db, Guid jobId, string accountId, CancellationToken cancellationToken) =>
        db.JobRequests.AsNoTracking().SingleOrDefaultAsync(r => r.JobId == jobId && r.AccountId == accountId, cancellationToken);

    /// <summary>Accepted, durable, but no saga worker has taken the job yet: the client may try again shortly.</summary>
    public static JsonHttpResult<NylasError> NotYetTaken(string id) =>
        NylasResults.Error(StatusCodes.Status503ServiceUnavailable,
            $"Job {Shown(id)} is accepted but not yet taken up for sending; try again shortly.", NylasError.ApiError);

    public static JsonHttpResult<NylasError> NotFound(string id) =>
        NylasResults.NotFound($"Couldn't find job status with id {Shown(id)}.");

    /// <summary>An id from the URL, cut short: an error message must not echo unbounded input.</summary>
    static string Shown(string id) => id.Length <= 40 ? id : id[..40];
}
