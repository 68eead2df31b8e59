using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Outbox.Bus.Api.Auth;
using Outbox.Bus.Api.Infrastructure;
using Outbox.Bus.Api.Models;
using Outbox.Bus.Components;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Components.Webhooks;

namespace Outbox.Bus.Api.Apis;

/// <summary>
/// <c>/a/{client_id}/webhooks</c>: an application's webhook subscriptions, as the Nylas v2 management API and its SDKs
/// use them. Bodies are read whatever their content type (the Node SDK sends JSON as <c>text/plain</c>).
/// </summary>
public static class WebhooksApi
{
    public const string Version = "2.0";

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/a/{client_id}/webhooks").RequireAuthorization(ClientSecretAuthentication.Policy).WithTags("Webhooks");
        group.MapGet("/", List).WithSummary("The application's webhooks (offset / limit)");
        group.MapPost("/", Create).WithSummary("Subscribes a callback URL, once it has answered the challenge");
        group.MapGet("/{id}", Get).WithSummary("One webhook");
        group.MapPut("/{id}", Update).WithSummary("Changes a webhook's state, triggers or callback URL");
        group.MapDelete("/{id}", Delete).WithSummary("Deletes a webhook and its delivery log");
        group.MapGet("/{id}/deliveries", Deliveries).WithSummary("The webhook's delivery attempts, newest first (offset / limit)");
        return app;
    }

    public static async Task<Results<Ok<List<WebhookResponse>>, JsonHttpResult<NylasError>>> List(
        [FromRoute(Name = "client_id")] string clientId, OutboxBusDbContext db, IOptions<ApiOptions> options,
        string? limit, string? offset, CancellationToken cancellationToken)
    {
        var ((take, skip), error) = Page(limit, offset, options.Value.MaxPageSize);
        if (error is not null)
            return error;

        var page = await db.WebhookSubscriptions.AsNoTracking()
            .Where(s => s.ApplicationId == clientId)
            .OrderBy(s => s.CreatedAt).ThenBy(s => s.Id)
            .Skip(skip).Take(take)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.Select(View).ToList());
    }

    public static async Task<Results<Ok<WebhookResponse>, JsonHttpResult<NylasError>>> Get(
        [FromRoute(Name = "client_id")] string clientId, string id, OutboxBusDbContext db, CancellationToken cancellationToken)
    {
        var subscription = await Find(db, clientId, id, cancellationToken);
        return subscription is null ? NotFound(id) : TypedResults.Ok(View(subscription));
    }

    public static async Task<Results<Ok<WebhookResponse>, JsonHttpResult<NylasError>>> Create(
        [FromRoute(Name = "client_id")] string clientId, HttpContext http, OutboxBusDbContext db, WebhookChallenge challenge,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, bodyError) = await JsonBody<WebhookRequest>.Read(http);
        if (body is null)
            return NylasResults.BadRequest(bodyError!);
        var request = body.Value;

        if (!WebhookUrls.TryParse(request.CallbackUrl, out var callback, out var urlError))
            return NylasResults.BadRequest(urlError);
        if (request.Triggers is null || request.Triggers.Count == 0)
            return NylasResults.BadRequest($"triggers is required: a list of one or more of {string.Join(", ", WebhookTriggers.All)}.");
        if (TriggerError(request.Triggers) is { } triggerError)
            return NylasResults.BadRequest(triggerError);
        if (request.State is not null && !WebhookStates.Settable.Contains(request.State))
            return NylasResults.BadRequest($"state must be one of {string.Join(", ", WebhookStates.Settable)}.");

        // The endpoint proves it wants the notifications before anything is stored.
        if (await challenge.VerifyAsync(callback, cancellationToken) is { } challengeError)
            return NylasResults.BadRequest(challengeError);

        var now = clock.GetUtcNow().UtcDateTime;
        var subscription = new WebhookSubscription
        {
            Id = PublicId.Format(Guid.NewGuid()),
            ApplicationId = clientId,
            CallbackUrl = callback.OriginalString,
            State = request.State ?? WebhookStates.Active,
            Triggers = request.Triggers.Distinct(StringComparer.Ordinal).ToList(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(subscription));
    }

    /// <summary>The SDK's <c>save()</c> on an existing webhook sends only <c>{"state"}</c>; triggers and the callback URL may
    /// change too. A new callback URL must answer the challenge like a new subscription.</summary>
    public static async Task<Results<Ok<WebhookResponse>, JsonHttpResult<NylasError>>> Update(
        [FromRoute(Name = "client_id")] string clientId, string id, HttpContext http, OutboxBusDbContext db, WebhookChallenge challenge,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, bodyError) = await JsonBody<WebhookRequest>.Read(http);
        if (body is null)
            return NylasResults.BadRequest(bodyError!);
        var request = body.Value;

        var subscription = await Find(db, clientId, id, cancellationToken, tracking: true);
        if (subscription is null)
            return NotFound(id);

        if (body.Has("state") && (request.State is null || !WebhookStates.Settable.Contains(request.State)))
            return NylasResults.BadRequest($"state must be one of {string.Join(", ", WebhookStates.Settable)}.");
        if (body.Has("triggers"))
        {
            if (request.Triggers is null || request.Triggers.Count == 0)
                return NylasResults.BadRequest($"triggers must be a list of one or more of {string.Join(", ", WebhookTriggers.All)}.");
            if (TriggerError(request.Triggers) is { } triggerError)
                return NylasResults.BadRequest(triggerError);
        }
        Uri? callback = null;
        if (body.Has("callback_url"))
        {
            if (!WebhookUrls.TryParse(request.CallbackUrl, out callback, out var urlError))
                return NylasResults.BadRequest(urlError);
            if (callback.OriginalString == subscription.CallbackUrl)
                callback = null;
            else if (await challenge.VerifyAsync(callback, cancellationToken) is { } challengeError)
                return NylasResults.BadRequest(challengeError);
        }

        if (request.State is not null)
            subscription.State = request.State;
        if (body.Has("triggers"))
            subscription.Triggers = request.Triggers!.Distinct(StringComparer.Ordinal).ToList();
        if (callback is not null)
            subscription.CallbackUrl = callback.OriginalString;
        subscription.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(subscription));
    }

    /// <summary>Answers <c>{}</c>: the SDK accepts any 2xx, and a JSON body suits clients that always parse one.</summary>
    public static async Task<Results<Ok<Dictionary<string, object>>, JsonHttpResult<NylasError>>> Delete(
        [FromRoute(Name = "client_id")] string clientId, string id, OutboxBusDbContext db, CancellationToken cancellationToken)
    {
        // The delivery log goes with it (cascade); notifications still queued for it find nothing and are dropped.
        var deleted = await db.WebhookSubscriptions
            .Where(s => s.ApplicationId == clientId && s.Id == id)
            .ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? NotFound(id) : TypedResults.Ok(new Dictionary<string, object>());
    }

    public static async Task<Results<Ok<List<WebhookDeliveryResponse>>, JsonHttpResult<NylasError>>> Deliveries(
        [FromRoute(Name = "client_id")] string clientId, string id, OutboxBusDbContext db, IOptions<ApiOptions> options,
        string? limit, string? offset, CancellationToken cancellationToken)
    {
        var ((take, skip), error) = Page(limit, offset, options.Value.MaxPageSize);
        if (error is not null)
            return error;
        if (await Find(db, clientId, id, cancellationToken) is null)
            return NotFound(id);

        var attempts = await db.WebhookDeliveries.AsNoTracking()
            .Where(a => a.SubscriptionId == id)
            .OrderByDescending(a => a.Id)
            .Skip(skip).Take(take)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(attempts.Select(a => new WebhookDeliveryResponse(
            a.Id,
            PublicId.Format(a.DeliveryId),
            a.Trigger,
            a.Attempt,
            new DateTimeOffset(DateTime.SpecifyKind(a.AttemptedAt, DateTimeKind.Utc)).ToUnixTimeSeconds(),
            a.Outcome,
            a.StatusCode,
            a.Error,
            a.LatencyMs)).ToList());
    }

    static WebhookResponse View(WebhookSubscription s) =>
        new(s.Id, s.ApplicationId, s.CallbackUrl, s.State, s.Triggers, Version);

    static async Task<WebhookSubscription?> Find(OutboxBusDbContext db, string clientId, string id, CancellationToken cancellationToken,
        bool tracking = false)
    {
        if (id.Length != PublicId.Length)
            return null;
        var query = tracking ? db.WebhookSubscriptions : db.WebhookSubscriptions.AsNoTracking();
        return await query.SingleOrDefaultAsync(s => s.ApplicationId == clientId && s.Id == id, cancellationToken);
    }

    static string? TriggerError(List<string> triggers)
    {
        var unknown = triggers.Where(t => t is null || !WebhookTriggers.IsKnown(t)).ToList();
        return unknown.Count == 0
            ? null
            : $"Unknown trigger(s): {string.Join(", ", unknown.Select(t => t is null ? "null" : $"'{Clip(t)}'"))}. " +
              $"Allowed: {string.Join(", ", WebhookTriggers.All)}.";
    }

    /// <summary>Parsed here rather than bound as int?, so a bad value answers in the Nylas error shape.</summary>
    static ((int Take, int Skip) Range, JsonHttpResult<NylasError>? Error) Page(string? limit, string? offset, int maxPageSize)
    {
        if (!TryCount(limit, 100, out var take) || take < 1 || take > maxPageSize)
            return (default, NylasResults.BadRequest($"limit must be a whole number between 1 and {maxPageSize}."));
        if (!TryCount(offset, 0, out var skip) || skip < 0)
            return (default, NylasResults.BadRequest("offset must be a whole number, 0 or more."));
        return ((take, skip), null);
    }

    static bool TryCount(string? text, int fallback, out int value)
    {
        value = fallback;
        return text is null || int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";

    static JsonHttpResult<NylasError> NotFound(string id) =>
        NylasResults.NotFound($"Couldn't find webhook with id {Clip(id)}.");
}
