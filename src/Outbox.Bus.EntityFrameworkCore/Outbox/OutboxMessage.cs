using MassTransit;
using MassTransit.Metadata;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// A message waiting in the database to be handed to the transport. One table holds three kinds, told apart by which
/// columns are set:
/// <list type="bullet">
/// <item>consumer outbox: <see cref="InboxMessageId"/> + <see cref="InboxConsumerId"/>, delivered by the consumer's own
/// endpoint right after its transaction committed;</item>
/// <item>bus outbox: <see cref="OutboxId"/>, delivered in order per <see cref="OutboxState"/> by the delivery service;</item>
/// <item>scheduled: <see cref="EnqueueTime"/> (due time, UTC) and usually <see cref="TokenId"/>, delivered by the delivery
/// service once due, cancelled by deleting the row by token.</item>
/// </list>
/// Same name and columns as MassTransit.EntityFrameworkCore's entity, plus <see cref="TokenId"/>.
/// </summary>
public class OutboxMessage : OutboxMessageContext
{
    Headers? _headers;
    IReadOnlyDictionary<string, object>? _properties;

    /// <summary>Database-generated; orders the messages of one outbox or one consumption.</summary>
    public long SequenceNumber { get; set; }

    /// <summary>For scheduled messages: the time (UTC) at which the message is due. Null for everything else.</summary>
    public DateTime? EnqueueTime { get; set; }

    /// <summary>For scheduled messages: the scheduling token, by which the message is cancelled or replaced.</summary>
    public Guid? TokenId { get; set; }

    public DateTime SentTime { get; set; }

    /// <summary>The send headers, serialized as a JSON object.</summary>
    public string? Headers { get; set; }

    /// <summary>Transport-specific send properties (routing key, priority, …), serialized as a JSON object.</summary>
    public string? Properties { get; set; }

    public Guid? InboxMessageId { get; set; }
    public Guid? InboxConsumerId { get; set; }
    public Guid? OutboxId { get; set; }

    public Guid MessageId { get; set; }
    public string ContentType { get; set; } = null!;
    public string MessageType { get; set; } = null!;
    public string Body { get; set; } = null!;

    public Guid? ConversationId { get; set; }
    public Guid? CorrelationId { get; set; }
    public Guid? InitiatorId { get; set; }
    public Guid? RequestId { get; set; }

    public Uri? SourceAddress { get; set; }
    public Uri? DestinationAddress { get; set; }
    public Uri? ResponseAddress { get; set; }
    public Uri? FaultAddress { get; set; }

    /// <summary>Past this time the message is dropped instead of delivered.</summary>
    public DateTime? ExpirationTime { get; set; }

    // MassTransit's OutboxMessageSendPipe reads the message back through OutboxMessageContext. The JSON columns are parsed
    // on first use only: rows are read in batches and most of them are sent exactly once.
    Guid? MessageContext.MessageId => MessageId;
    DateTime? MessageContext.SentTime => SentTime;
    Headers MessageContext.Headers => _headers ??= ReadHeaders();
    HostInfo MessageContext.Host => HostMetadataCache.Host;
    IReadOnlyDictionary<string, object> OutboxMessageContext.Properties => _properties ??= ReadProperties();

    Headers ReadHeaders() =>
        SystemTextJsonMessageSerializer.Instance.DeserializeDictionary<object?>(Headers) is { } headers
            ? new DictionarySendHeaders(headers!)
            : EmptyHeaders.Instance;

    IReadOnlyDictionary<string, object> ReadProperties() =>
        SystemTextJsonMessageSerializer.Instance.DeserializeDictionary<object>(Properties)
        ?? new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
}
