using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Components.Webhooks;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tracking;

/// <summary>
/// Turns an open, a click or a reply into one <see cref="DeliverWebhook"/> per subscription that wants it, like
/// <see cref="NotifyWebhookConsumer"/> does for status changes; the posting, signing and retries are the same
/// <c>deliver-webhook</c> path. Counts and <c>recents</c> are read from the stored events up to and including this one,
/// so a redelivered event builds the same body.
/// </summary>
public sealed class NotifyTrackingWebhookConsumer(
    OutboxBusDbContext db,
    IOptions<TrackingOptions> options,
    TimeProvider clock,
    ILogger<NotifyTrackingWebhookConsumer> logger)
    : IConsumer<MessageOpened>, IConsumer<LinkClicked>, IConsumer<ThreadReplied>
{
    public async Task Consume(ConsumeContext<MessageOpened> context)
    {
        var opened = context.Message;
        var cancellationToken = context.CancellationToken;
        if (await Subscribers(opened.AccountId, WebhookTriggers.MessageOpened, cancellationToken) is not { Count: > 0 } subscribers
            || await Tracked(opened.JobId, cancellationToken) is not { } message)
            return;

        var (count, first, recents) = await History(opened.JobId, TrackingEventKinds.Open, opened.OpenedAt, cancellationToken);
        var body = TrackingWebhookBodies.MessageOpened(message, opened.OpenedAt, count, first ?? opened.OpenedAt, recents);
        await Notify(context, subscribers, WebhookTriggers.MessageOpened, body, opened.JobId);
    }

    public async Task Consume(ConsumeContext<LinkClicked> context)
    {
        var clicked = context.Message;
        var cancellationToken = context.CancellationToken;
        if (await Subscribers(clicked.AccountId, WebhookTriggers.MessageLinkClicked, cancellationToken) is not { Count: > 0 } subscribers
            || await Tracked(clicked.JobId, cancellationToken) is not { } message)
            return;

        var (_, first, recents) = await History(clicked.JobId, TrackingEventKinds.Click, clicked.ClickedAt, cancellationToken);
        var links = await db.TrackingEvents.AsNoTracking()
            .Where(e => e.JobId == clicked.JobId && e.Kind == TrackingEventKinds.Click && e.At <= clicked.ClickedAt)
            // A link index stands for one URL (both are in the signed token); grouping by the short key suits every provider.
            .GroupBy(e => e.LinkIndex)
            .Select(g => new { LinkIndex = g.Key, Url = g.Max(e => e.Url), Count = g.Count() })
            .ToListAsync(cancellationToken);
        var linkData = links.OrderBy(l => l.LinkIndex)
            .Select(l => new TrackingWebhookBodies.LinkCount(l.Url ?? string.Empty, l.Count)).ToList();

        var body = TrackingWebhookBodies.LinkClicked(message, clicked.ClickedAt, linkData, first ?? clicked.ClickedAt, recents);
        await Notify(context, subscribers, WebhookTriggers.MessageLinkClicked, body, clicked.JobId);
    }

    public async Task Consume(ConsumeContext<ThreadReplied> context)
    {
        var reply = context.Message;
        var cancellationToken = context.CancellationToken;
        if (await Subscribers(reply.AccountId, WebhookTriggers.ThreadReplied, cancellationToken) is not { Count: > 0 } subscribers
            || await Tracked(reply.JobId, cancellationToken) is not { } message)
            return;

        await Notify(context, subscribers, WebhookTriggers.ThreadReplied, TrackingWebhookBodies.ThreadReplied(message, reply), reply.JobId);
    }

    /// <summary>The active or failing subscriptions of the account's application that have <paramref name="trigger"/>.</summary>
    async Task<List<WebhookSubscription>?> Subscribers(string accountId, string trigger, CancellationToken cancellationToken)
    {
        var clientId = await db.Accounts.AsNoTracking()
            .Where(a => a.Id == accountId).Select(a => a.ClientId)
            .SingleOrDefaultAsync(cancellationToken);
        if (clientId is null)
        {
            logger.LogDebug("No {Trigger} notification: account {AccountId} no longer exists", trigger, accountId);
            return null;
        }

        var subscriptions = await db.WebhookSubscriptions.AsNoTracking()
            .Where(s => s.ApplicationId == clientId && (s.State == WebhookStates.Active || s.State == WebhookStates.Failing))
            .ToListAsync(cancellationToken);
        return subscriptions.Where(s => s.Triggers.Contains(trigger, StringComparer.Ordinal)).ToList();
    }

    /// <summary>The job the event is about, read from the saga's row (no tracking query): its payload and Message-ID.</summary>
    async Task<TrackingWebhookBodies.Tracked?> Tracked(Guid jobId, CancellationToken cancellationToken)
    {
        var job = await db.SendJobs.AsNoTracking()
            .Where(j => j.CorrelationId == jobId)
            .Select(j => new { j.AccountId, j.MessageId, j.Message })
            .SingleOrDefaultAsync(cancellationToken);
        if (job is null)
        {
            logger.LogDebug("No tracking notification: job {JobId} no longer exists", PublicId.Format(jobId));
            return null;
        }
        return new TrackingWebhookBodies.Tracked(jobId, job.AccountId, job.MessageId, TrackingRequest.Parse(job.Message.Tracking).Payload);
    }

    /// <summary>How many events of the kind the message had up to <paramref name="until"/>, the first one's time, and the
    /// last few, oldest first, numbered from 0 in the order they happened.</summary>
    async Task<(int Count, DateTime? First, List<TrackingWebhookBodies.Recent> Recents)> History(Guid jobId, string kind, DateTime until,
        CancellationToken cancellationToken)
    {
        var events = db.TrackingEvents.AsNoTracking().Where(e => e.JobId == jobId && e.Kind == kind && e.At <= until);
        var count = await events.CountAsync(cancellationToken);
        var first = await events.OrderBy(e => e.At).Select(e => (DateTime?)e.At).FirstOrDefaultAsync(cancellationToken);
        var latest = await events.OrderByDescending(e => e.At)
            .Take(options.Value.RecentEvents)
            .Select(e => new { e.Ip, e.UserAgent, e.At, e.LinkIndex })
            .ToListAsync(cancellationToken);
        latest.Reverse();
        var firstId = count - latest.Count;
        var recents = latest.Select((e, i) => new TrackingWebhookBodies.Recent(firstId + i, e.Ip, e.UserAgent, e.At, e.LinkIndex)).ToList();
        return (count, first, recents);
    }

    async Task Notify(ConsumeContext context, List<WebhookSubscription> subscribers, string trigger, string body, Guid jobId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var subscription in subscribers)
            await context.Publish(new DeliverWebhook(NewId.NextGuid(), subscription.Id, trigger, body, 1, now), context.CancellationToken);
        logger.LogDebug("Job {JobId} {Trigger}: {Count} webhook notification(s)", PublicId.Format(jobId), trigger, subscribers.Count);
    }
}
