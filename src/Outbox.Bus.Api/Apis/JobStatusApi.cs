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

/// <summary><c>/job-statuses</c>: reads go straight to the saga's state, never through the bus.</summary>
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
        var jobs = db.SendJobs.AsNoTracking().Where(j => j.AccountId == accountId);
        if (status is not null)
            jobs = jobs.Where(JobStatus.Filter(status));

        var page = await jobs
            .OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.CorrelationId)
            .Skip(skip).Take(take)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.Select(JobViews.Status).ToList());
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
        return await db.SendJobs.AsNoTracking()
            .SingleOrDefaultAsync(j => j.CorrelationId == jobId && j.AccountId == accountId, cancellationToken);
    }

    public static JsonHttpResult<NylasError> NotFound(string id) =>
        NylasResults.NotFound($"Couldn't find job status with id {(id.Length <= 40 ? id : id[..40])}.");
}
