using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Outbox.Bus.Api.Infrastructure;
using Outbox.Bus.Api.Models;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Components.Tracking;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Api.Apis;

/// <summary>
/// The URLs that tracked messages carry: the open pixel and the link redirect. Anonymous (recipients' mail clients call
/// them), so the signed token is the whole of the authorisation: a token that is not one the service signed, or whose
/// job is gone, is a 404 with no redirect, and a redirect only ever goes to the target inside the token.
/// </summary>
public static class TrackingApi
{
    public static IEndpointRouteBuilder MapTrackingApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/t").WithTags("Tracking").AllowAnonymous();
        group.MapGet("/open/{token}", Open).WithSummary("The open pixel of a tracked message: a 1×1 GIF");
        group.MapGet("/link/{token}", Link).WithSummary("A tracked link: records the click and redirects to the original URL");
        return app;
    }

    public static async Task<Results<FileContentHttpResult, JsonHttpResult<NylasError>>> Open(
        string token, HttpContext http, TrackingKeys keys, OutboxBusDbContext db, IPublishEndpoint publish, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (await Verify(token, TrackingKind.Open, keys, db, cancellationToken) is not { } found)
            return NotFound();

        var (ip, userAgent) = Client(http);
        var at = clock.GetUtcNow().UtcDateTime;
        var id = NewId.NextGuid();
        db.TrackingEvents.Add(new TrackingEvent
        {
            Id = id, JobId = found.Target.JobId, AccountId = found.AccountId, Kind = TrackingEventKinds.Open, Ip = ip, UserAgent = userAgent, At = at,
        });
        // Through the bus outbox: the open and its notification are stored together, or neither is.
        await publish.Publish(new MessageOpened(id, found.Target.JobId, found.AccountId, ip, userAgent, at), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        NoCache(http.Response);
        return TypedResults.File(TrackingPixel.Gif, TrackingPixel.ContentType);
    }

    public static async Task<Results<RedirectHttpResult, JsonHttpResult<NylasError>>> Link(
        string token, HttpContext http, TrackingKeys keys, OutboxBusDbContext db, IPublishEndpoint publish, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (await Verify(token, TrackingKind.Link, keys, db, cancellationToken) is not { } found)
            return NotFound();

        var target = found.Target;
        var (ip, userAgent) = Client(http);
        var at = clock.GetUtcNow().UtcDateTime;
        var id = NewId.NextGuid();
        db.TrackingEvents.Add(new TrackingEvent
        {
            Id = id, JobId = target.JobId, AccountId = found.AccountId, Kind = TrackingEventKinds.Click, LinkIndex = target.LinkIndex,
            Url = target.Url, Ip = ip, UserAgent = userAgent, At = at,
        });
        await publish.Publish(new LinkClicked(id, target.JobId, found.AccountId, target.LinkIndex, target.Url!, ip, userAgent, at),
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        NoCache(http.Response);
        // The tracking URL would otherwise reach the target site as the referrer.
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        // AbsoluteUri: a Location header must be ASCII, so an international host or path goes out encoded.
        return TypedResults.Redirect(new Uri(target.Url!).AbsoluteUri);
    }

    sealed record Found(TrackingTarget Target, string AccountId);

    /// <summary>The token's target if the service signed it for this endpoint and its job still exists.</summary>
    static async Task<Found?> Verify(string token, TrackingKind kind, TrackingKeys keys, OutboxBusDbContext db,
        CancellationToken cancellationToken)
    {
        var key = await keys.GetAsync(cancellationToken);
        if (!TrackingToken.TryRead(key, token, out var target) || target.Kind != kind)
            return null;
        var accountId = await db.SendJobs.AsNoTracking()
            .Where(j => j.CorrelationId == target.JobId)
            .Select(j => j.AccountId)
            .SingleOrDefaultAsync(cancellationToken);
        return accountId is null ? null : new Found(target, accountId);
    }

    static (string? Ip, string? UserAgent) Client(HttpContext http)
    {
        var ip = http.Connection.RemoteIpAddress is { } address
            ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
            : null;
        var userAgent = http.Request.Headers.UserAgent.ToString();
        return (ip, userAgent.Length == 0 ? null
            : userAgent.Length <= TrackingEventLimits.UserAgentLength ? userAgent
            : userAgent[..TrackingEventLimits.UserAgentLength]);
    }

    /// <summary>Every open and click must reach the server: no browser, proxy or mail-client cache may answer instead.</summary>
    static void NoCache(HttpResponse response)
    {
        response.Headers[HeaderNames.CacheControl] = "no-cache, no-store, must-revalidate, private, max-age=0";
        response.Headers[HeaderNames.Pragma] = "no-cache";
        response.Headers[HeaderNames.Expires] = "0";
    }

    static JsonHttpResult<NylasError> NotFound() => NylasResults.NotFound("Not found.");
}
