using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Webhooks;

/// <summary>
/// Turns a job's status change into one <see cref="DeliverWebhook"/> per subscription that wants it: the active or
/// failing subscriptions of the account's application whose triggers include <c>job.&lt;status&gt;</c>. It posts
/// nothing itself, so one slow receiver never holds up the others.
/// </summary>
public sealed class NotifyWebhookConsumer(
    OutboxBusDbContext db,
    TimeProvider clock,
    ILogger<NotifyWebhookConsumer> logger)
    : IConsumer<JobStatusChanged>
{
    public async Task Consume(ConsumeContext<JobStatusChanged> context)
    {
        var change = context.Message;
        if (WebhookTriggers.ForJobStatus(change.Status) is not { } trigger)
            return;

        var cancellationToken = context.CancellationToken;
        var clientId = await db.Accounts.AsNoTracking()
            .Where(a => a.Id == change.AccountId).Select(a => a.ClientId)
            .SingleOrDefaultAsync(cancellationToken);
        if (clientId is null)
        {
            logger.LogDebug("No webhook notification for job {JobId}: account {AccountId} no longer exists",
                PublicId.Format(change.JobId), change.AccountId);
            return;
        }

        var subscriptions = await db.WebhookSubscriptions.AsNoTracking()
            .Where(s => s.ApplicationId == clientId && (s.State == WebhookStates.Active || s.State == WebhookStates.Failing))
            .ToListAsync(cancellationToken);
        var wanted = subscriptions.Where(s => s.Triggers.Contains(trigger, StringComparer.Ordinal)).ToList();
        if (wanted.Count == 0)
            return;

        var times = await db.SendJobs.AsNoTracking()
            .Where(j => j.CorrelationId == change.JobId)
            .Select(j => new WebhookBodies.JobTimes(j.SendAt, j.OriginalSendAt))
            .SingleOrDefaultAsync(cancellationToken);
        var body = WebhookBodies.JobStatus(change, trigger, times);
        var now = clock.GetUtcNow().UtcDateTime;

        foreach (var subscription in wanted)
            await context.Publish(new DeliverWebhook(NewId.NextGuid(), subscription.Id, trigger, body, 1, now), cancellationToken);

        logger.LogDebug("Job {JobId} {Trigger}: {Count} webhook notification(s)", PublicId.Format(change.JobId), trigger, wanted.Count);
    }
}
