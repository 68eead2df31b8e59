using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Outbox.Bus.Components.Data;

namespace Outbox.Bus.Components.Webhooks;

public sealed class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> subscription)
    {
        subscription.ToTable("WebhookSubscriptions");
        subscription.HasKey(x => x.Id);
        subscription.Property(x => x.Id).HasMaxLength(25);
        subscription.Property(x => x.ApplicationId).HasMaxLength(100);
        subscription.Property(x => x.CallbackUrl).HasMaxLength(WebhookUrls.MaxLength);
        subscription.Property(x => x.State).HasMaxLength(10);
        // A handful of strings, read with the subscription and matched in memory: JSON keeps the three providers alike.
        subscription.Property(x => x.Triggers).HasJsonConversion().HasMaxLength(1000);
        // Every notification looks up the subscriptions of one application.
        subscription.HasIndex(x => x.ApplicationId);
    }
}

public sealed class WebhookDeliveryAttemptConfiguration : IEntityTypeConfiguration<WebhookDeliveryAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookDeliveryAttempt> attempt)
    {
        attempt.ToTable("WebhookDeliveryAttempts");
        attempt.HasKey(x => x.Id);
        attempt.Property(x => x.Id).ValueGeneratedOnAdd();
        attempt.Property(x => x.SubscriptionId).HasMaxLength(25);
        attempt.Property(x => x.Trigger).HasMaxLength(40);
        attempt.Property(x => x.Outcome).HasMaxLength(20);
        attempt.Property(x => x.Error).HasMaxLength(WebhookDeliveryAttemptLimits.ErrorLength);
        // The log is read newest first per subscription, and the recent attempts decide the failing state.
        attempt.HasIndex(x => new { x.SubscriptionId, x.Id });
        // The retention cleanup deletes by age.
        attempt.HasIndex(x => x.AttemptedAt);
        attempt.HasOne<WebhookSubscription>().WithMany().HasForeignKey(x => x.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class WebhookDeliveryAttemptLimits
{
    public const int ErrorLength = 500;
}
