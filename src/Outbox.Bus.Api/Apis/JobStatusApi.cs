using System.Security.Claims;
using MassTransit;
using MassTransit.Saga;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Outbox.Bus.Api.Auth;
using Outbox.Bus.Api.Infrastructure;
using Outbox.Bus.Api.Models;
using Outbox.Bus.Components;
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
        string id, ClaimsPrincipal user, ILoadSagaRepository<SendJobState> jobs)
    {
        var job = await Find(jobs, id, user.AccountId());
        return job is null ? NotFound(id) : TypedResults.Ok(JobViews.Status(job));
    }

    public static async Task<Results<Ok<List<JobStatusResponse>>, JsonHttpResult<NylasError>>> List(
        ClaimsPrincipal user, IQuerySagaRepository<SendJobState> query, ILoadSagaRepository<SendJobState> jobs,
        IOptions<ApiOptions> options, int? limit, int? offset, string? status)
    {
        var take = limit ?? 100;
        var skip = offset ?? 0;
        if (take < 1 || take > options.Value.MaxPageSize)
            return NylasResults.BadRequest($"limit must be between 1 and {options.Value.MaxPageSize}.");
        if (skip < 0)
            return NylasResults.BadRequest("offset must not be negative.");
        if (status is not null && !JobStatus.All.Contains(status))
            return NylasResults.BadRequest($"status must be one of {string.Join(", ", JobStatus.All)}.");

        var accountId = user.AccountId();
        var ids = await query.Find(new SagaQuery<SendJobState>(j => j.AccountId == accountId));
        var found = new List<SendJobState>();
        foreach (var jobId in ids)
        {
            if (await jobs.Load(jobId) is { } job)
                found.Add(job);
        }

        // Sending covers both pending and delayed, so the public status is filtered after it is computed.
        var page = found
            .Where(j => status is null || JobStatus.Of(j) == status)
            .OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.CorrelationId)
            .Skip(skip).Take(take)
            .Select(JobViews.Status)
            .ToList();
        return TypedResults.Ok(page);
    }

    /// <summary>The job, if it exists and belongs to the account; otherwise null, so both cases look alike.</summary>
    public static async Task<SendJobState?> Find(ILoadSagaRepository<SendJobState> jobs, string id, string accountId)
    {
        if (!PublicId.TryParse(id, out var jobId))
            return null;
        var job = await jobs.Load(jobId);
        return job is not null && job.AccountId == accountId && job.CurrentState is not null && job.CurrentState != "Initial"
            ? job
            : null;
    }

    public static JsonHttpResult<NylasError> NotFound(string id) =>
        NylasResults.NotFound($"Couldn't find job status with id {(id.Length <= 40 ? id : id[..40])}.");
}
