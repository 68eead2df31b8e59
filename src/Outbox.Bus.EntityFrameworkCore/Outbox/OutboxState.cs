namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// One bus-outbox batch: the messages one DI scope sent or published outside a consumer before a
/// <c>SaveChanges</c>. The delivery service locks this row (skipping rows other instances hold) so that each batch is
/// delivered by one instance at a time, in <see cref="OutboxMessage.SequenceNumber"/> order, and deleted with its
/// messages once the transport took them. Same name and meaning as MassTransit.EntityFrameworkCore's entity.
/// </summary>
public class OutboxState
{
    public Guid OutboxId { get; set; }

    /// <summary>When the batch was started; batches are delivered oldest first.</summary>
    public DateTime Created { get; set; }

    /// <summary>
    /// Kept for parity with the official entity (and its migrations); not written here: a batch is deleted once its last
    /// message reached the transport.
    /// </summary>
    public DateTime? Delivered { get; set; }

    /// <summary>
    /// Kept for parity with the official entity; not written here: delivered messages are deleted as they go, so the
    /// remaining rows are exactly what is left to send.
    /// </summary>
    public long? LastSequenceNumber { get; set; }
}
