using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tracking;

/// <summary>
/// Once a message has gone out, remembers it for the reply poller if its job asked for <c>thread_replies</c>. Listening
/// to <see cref="MessageSent"/> (beside the saga) keeps the sender and the saga unaware of tracking, and only messages
/// that really left are watched for replies.
/// </summary>
public sealed class TrackThreadRepliesConsumer(OutboxBusDbContext db, ILogger<TrackThreadRepliesConsumer> logger)
    : IConsumer<MessageSent>
{
    public async Task Consume(ConsumeContext<MessageSent> context)
    {
        var sent = context.Message;
        var cancellationToken = context.CancellationToken;

        var job = await db.SendJobs.AsNoTracking()
            .Where(j => j.CorrelationId == sent.JobId)
            .Select(j => new { j.AccountId, j.Message })
            .SingleOrDefaultAsync(cancellationToken);
        if (job is null || !TrackingRequest.Parse(job.Message.Tracking).ThreadReplies)
            return;
        if (await db.TrackedThreads.AnyAsync(t => t.JobId == sent.JobId, cancellationToken))
            return;

        db.TrackedThreads.Add(new TrackedThread
        {
            JobId = sent.JobId,
            AccountId = job.AccountId,
            MessageId = sent.MessageId,
            SentAt = sent.SentAt,
        });
        // A concurrent duplicate fails on the key and is retried, and then finds the row.
        await db.SaveChangesAsync(cancellationToken);
        logger.LogDebug("Job {JobId}: replies to {MessageId} are tracked", PublicId.Format(sent.JobId), sent.MessageId);
    }
}
