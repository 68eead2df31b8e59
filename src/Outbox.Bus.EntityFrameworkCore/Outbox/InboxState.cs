namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// The inbox mark of one message (by <see cref="MessageId"/>) at one consumer (by <see cref="ConsumerId"/>): written in the
/// same transaction as the consumer's own changes, so a redelivered message is recognised and not consumed twice while the
/// row exists (it is removed <c>DuplicateDetectionWindow</c> after its outgoing messages were delivered).
/// Same name and meaning as MassTransit.EntityFrameworkCore's entity, minus its SQL-Server-only row version.
/// </summary>
public class InboxState
{
    /// <summary>Surrogate key, so the clustered index grows in arrival order.</summary>
    public long Id { get; set; }

    /// <summary>The incoming message's MessageId (its original one, for redelivered or scheduled copies).</summary>
    public Guid MessageId { get; set; }

    /// <summary>Stable identity of consumer type + endpoint name, computed by MassTransit's outbox configuration.</summary>
    public Guid ConsumerId { get; set; }

    /// <summary>When the message was first received.</summary>
    public DateTime Received { get; set; }

    /// <summary>How many times the message has been received by this consumer.</summary>
    public int ReceiveCount { get; set; }

    /// <summary>The incoming message's expiration time, if it had one.</summary>
    public DateTime? ExpirationTime { get; set; }

    /// <summary>When the consumer completed (committed with the consumer's changes).</summary>
    public DateTime? Consumed { get; set; }

    /// <summary>When every outgoing message of this consumption reached the transport; the cleanup window starts here.</summary>
    public DateTime? Delivered { get; set; }

    /// <summary>The last outgoing message (by <see cref="OutboxMessage.SequenceNumber"/>) that reached the transport.</summary>
    public long? LastSequenceNumber { get; set; }
}
