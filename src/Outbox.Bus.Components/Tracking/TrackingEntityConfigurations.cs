using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Outbox.Bus.Components.Accounts;

namespace Outbox.Bus.Components.Tracking;

public sealed class TrackingKeyConfiguration : IEntityTypeConfiguration<TrackingKey>
{
    public void Configure(EntityTypeBuilder<TrackingKey> key)
    {
        key.ToTable("TrackingKeys");
        key.HasKey(x => x.Id);
        // Chosen by the application (one well-known row), never generated: concurrent creators collide on it.
        key.Property(x => x.Id).ValueGeneratedNever();
        key.Property(x => x.ProtectedKey).HasMaxLength(1000);
    }
}

public sealed class TrackingEventConfiguration : IEntityTypeConfiguration<TrackingEvent>
{
    public void Configure(EntityTypeBuilder<TrackingEvent> trackingEvent)
    {
        trackingEvent.ToTable("TrackingEvents");
        trackingEvent.HasKey(x => x.Id);
        trackingEvent.Property(x => x.Id).ValueGeneratedNever();
        trackingEvent.Property(x => x.AccountId).HasMaxLength(25);
        trackingEvent.Property(x => x.Kind).HasMaxLength(10);
        trackingEvent.Property(x => x.Url).HasMaxLength(TrackingEventLimits.UrlLength);
        trackingEvent.Property(x => x.Ip).HasMaxLength(TrackingEventLimits.IpLength);
        trackingEvent.Property(x => x.UserAgent).HasMaxLength(TrackingEventLimits.UserAgentLength);
        // Every notification counts and lists one message's opens or clicks in time order.
        trackingEvent.HasIndex(x => new { x.JobId, x.Kind, x.At });
        // No foreign key to the saga's table: the saga owns its rows, and events are kept as a log of what happened.
    }
}

public sealed class TrackedThreadConfiguration : IEntityTypeConfiguration<TrackedThread>
{
    public void Configure(EntityTypeBuilder<TrackedThread> thread)
    {
        thread.ToTable("TrackedThreads");
        thread.HasKey(x => x.JobId);
        thread.Property(x => x.JobId).ValueGeneratedNever();
        thread.Property(x => x.AccountId).HasMaxLength(25);
        thread.Property(x => x.MessageId).HasMaxLength(400);
        // The poller's question: which accounts have messages recent enough to watch.
        thread.HasIndex(x => new { x.AccountId, x.SentAt });
        thread.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class ReportedReplyConfiguration : IEntityTypeConfiguration<ReportedReply>
{
    public void Configure(EntityTypeBuilder<ReportedReply> reply)
    {
        reply.ToTable("ReportedReplies");
        reply.HasKey(x => x.Key);
        reply.Property(x => x.Key).HasMaxLength(64);
        reply.Property(x => x.AccountId).HasMaxLength(25);
        reply.Property(x => x.MessageId).HasMaxLength(ReportedReply.MessageIdLength);
        reply.HasIndex(x => x.AccountId);
        reply.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class ImapMailboxStateConfiguration : IEntityTypeConfiguration<ImapMailboxState>
{
    public void Configure(EntityTypeBuilder<ImapMailboxState> state)
    {
        state.ToTable("ImapMailboxStates");
        state.HasKey(x => x.AccountId);
        state.Property(x => x.AccountId).HasMaxLength(25);
        state.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}
