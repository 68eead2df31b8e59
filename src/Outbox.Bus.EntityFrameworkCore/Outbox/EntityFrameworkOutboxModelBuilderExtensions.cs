using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// Adds the outbox, inbox and scheduler tables to the application's model, under the names MassTransit.EntityFrameworkCore
/// uses, so swapping to the official package is a reference change plus a migration. The mappings use only
/// provider-neutral features (no row versions, no provider column types), so one model serves SQL Server, PostgreSQL and
/// SQLite; each provider's migrations are generated from it.
/// </summary>
public static class EntityFrameworkOutboxModelBuilderExtensions
{
    /// <summary>Adds <see cref="InboxState"/>, <see cref="OutboxMessage"/> and <see cref="OutboxState"/>.</summary>
    public static void AddTransactionalOutboxEntities(this ModelBuilder modelBuilder, Action<EntityTypeBuilder>? callback = null)
    {
        modelBuilder.AddInboxStateEntity(callback);
        modelBuilder.AddOutboxMessageEntity(callback);
        modelBuilder.AddOutboxStateEntity(callback);
    }

    public static void AddInboxStateEntity(this ModelBuilder modelBuilder, Action<EntityTypeBuilder<InboxState>>? callback = null)
    {
        var inbox = modelBuilder.Entity<InboxState>();
        inbox.HasKey(p => p.Id);
        inbox.Property(p => p.Id).ValueGeneratedOnAdd();

        // One row per message per consumer: a concurrent duplicate delivery fails on this key instead of consuming twice.
        inbox.HasAlternateKey(p => new { p.MessageId, p.ConsumerId });

        // The cleanup service deletes by delivery time.
        inbox.HasIndex(p => p.Delivered);

        callback?.Invoke(inbox);
    }

    public static void AddOutboxStateEntity(this ModelBuilder modelBuilder, Action<EntityTypeBuilder<OutboxState>>? callback = null)
    {
        var outbox = modelBuilder.Entity<OutboxState>();
        outbox.HasKey(p => p.OutboxId);
        outbox.Property(p => p.OutboxId).ValueGeneratedNever();

        // The delivery service takes the oldest unlocked batches first.
        outbox.HasIndex(p => p.Created);

        callback?.Invoke(outbox);
    }

    public static void AddOutboxMessageEntity(this ModelBuilder modelBuilder, Action<EntityTypeBuilder<OutboxMessage>>? callback = null)
    {
        var message = modelBuilder.Entity<OutboxMessage>();
        message.HasKey(p => p.SequenceNumber);
        message.Property(p => p.SequenceNumber).ValueGeneratedOnAdd();

        message.Property(p => p.ContentType).HasMaxLength(256).IsRequired();
        message.Property(p => p.MessageType).IsRequired();
        message.Property(p => p.Body).IsRequired();

        // Consumer outbox: a consumption's messages, in order. Bus outbox: a batch's messages, in order.
        message.HasIndex(p => new { p.InboxMessageId, p.InboxConsumerId, p.SequenceNumber }).IsUnique();
        message.HasIndex(p => new { p.OutboxId, p.SequenceNumber }).IsUnique();

        // Scheduler: due messages by time, cancellation and replacement by token.
        message.HasIndex(p => p.EnqueueTime);
        message.HasIndex(p => p.TokenId);

        // No foreign keys to InboxState/OutboxState on purpose: rows of the three kinds are deleted independently (inbox
        // cleanup, delivery), and a dangling reference must never block either.
        callback?.Invoke(message);
    }
}
