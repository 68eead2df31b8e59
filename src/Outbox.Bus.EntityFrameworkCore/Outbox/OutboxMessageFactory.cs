using MassTransit;
using MassTransit.Serialization;
using MassTransit.Context;
using Microsoft.EntityFrameworkCore;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>Marks a send as scheduled: put on the send context by the scheduler, turned into the row's due time and token.</summary>
sealed record ScheduledSend(DateTime ScheduledTime, Guid TokenId);

/// <summary>A DbContext the outbox writes rows into: the consumer's (inbox), the scope's (bus outbox) or a private one.</summary>
interface IEntityFrameworkOutboxWriter : MassTransit.Middleware.OutboxSendContext
{
    DbContext DbContext { get; }
}

static class OutboxMessageFactory
{
    /// <summary>
    /// Captures a fully prepared send context (serializer, headers, addresses, transport properties) as a row, exactly as
    /// it would have gone to the transport, so that delivery later can replay it with MassTransit's OutboxMessageSendPipe.
    /// A send that carries a <see cref="ScheduledSend"/>, or a transport delay, becomes a scheduled row: the database
    /// delays it, so no transport delay feature is needed.
    /// </summary>
    public static OutboxMessage Create<T>(SendContext<T> context)
        where T : class
    {
        if (context.MessageId is not { } messageId)
            throw new MessageException(typeof(T), "The outbox needs the send context's MessageId.");

        var now = DateTime.UtcNow;
        var body = context.Serializer.GetMessageBody(context);

        var message = new OutboxMessage
        {
            MessageId = messageId,
            ConversationId = context.ConversationId,
            CorrelationId = context.CorrelationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress,
            DestinationAddress = context.DestinationAddress,
            ResponseAddress = context.ResponseAddress,
            FaultAddress = context.FaultAddress,
            SentTime = AsUtc(context.SentTime) ?? now,
            ContentType = context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString(),
            MessageType = string.Join(";", context.SupportedMessageTypes),
            Body = body.GetString(),
            Headers = SystemTextJsonMessageSerializer.Instance.SerializeDictionary(context.Headers.GetAll())
        };

        if (context.TryGetPayload(out ScheduledSend? scheduled))
        {
            message.EnqueueTime = scheduled.ScheduledTime;
            message.TokenId = scheduled.TokenId;
        }
        else if (context.Delay is { } delay && delay > TimeSpan.Zero)
        {
            // A transport-delayed send (e.g. MassTransit's delayed scheduler or redelivery) through the outbox: the
            // transport never sees the delay, so the database has to honour it.
            message.EnqueueTime = now + delay;
            message.TokenId = context.Headers.Get<Guid>(MessageHeaders.SchedulingTokenId);
        }

        if (context.TimeToLive is { } timeToLive)
            message.ExpirationTime = (message.EnqueueTime ?? now) + timeToLive;

        if (context is TransportSendContext<T> transportContext)
        {
            var properties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transportContext.WritePropertiesTo(properties);
            if (properties.Count > 0)
                message.Properties = SystemTextJsonMessageSerializer.Instance.SerializeDictionary(properties);
        }

        return message;
    }

    /// <summary>
    /// MassTransit's times are UTC but may arrive without a kind (e.g. deserialized); PostgreSQL's timestamptz refuses
    /// those, and every comparison here is in UTC.
    /// </summary>
    public static DateTime? AsUtc(DateTime? time) =>
        time switch
        {
            null => null,
            { Kind: DateTimeKind.Utc } utc => utc,
            { Kind: DateTimeKind.Local } local => local.ToUniversalTime(),
            { } unspecified => DateTime.SpecifyKind(unspecified, DateTimeKind.Utc)
        };

    /// <summary>
    /// Removes the scheduled messages with <paramref name="tokenId"/>: those still only in the change tracker, and those in
    /// the database (within the DbContext's current transaction, if any). Deleting nothing is fine: the message may
    /// already have been delivered.
    /// </summary>
    public static async Task CancelScheduled(DbContext dbContext, Guid tokenId, CancellationToken cancellationToken)
    {
        foreach (var entry in dbContext.ChangeTracker.Entries<OutboxMessage>().Where(e => e.State == EntityState.Added && e.Entity.TokenId == tokenId).ToList())
            entry.State = EntityState.Detached;

        await dbContext.Set<OutboxMessage>().Where(m => m.TokenId == tokenId).ExecuteDeleteAsync(cancellationToken);
    }
}
