using Microsoft.EntityFrameworkCore;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tracking;
using Outbox.Bus.Components.Webhooks;
using Outbox.Bus.EntityFrameworkCore;

namespace Outbox.Bus.Components.Data;

/// <summary>
/// The application's one database. The model is provider-neutral; each provider has a derived context only so that
/// its migrations live apart (see <see cref="SqliteOutboxBusDbContext"/>).
/// </summary>
public class OutboxBusDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<AccessToken> AccessTokens => Set<AccessToken>();
    public DbSet<AuthorizationCode> AuthorizationCodes => Set<AuthorizationCode>();

    /// <summary>The send-job saga's state; written only by the saga, read by the job-status API.</summary>
    public DbSet<SendJobState> SendJobs => Set<SendJobState>();

    /// <summary>Accepted jobs no saga has taken yet; see <see cref="JobRequest"/>.</summary>
    public DbSet<JobRequest> JobRequests => Set<JobRequest>();

    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();
    public DbSet<WebhookDeliveryAttempt> WebhookDeliveries => Set<WebhookDeliveryAttempt>();

    public DbSet<TrackingKey> TrackingKeys => Set<TrackingKey>();
    public DbSet<TrackingEvent> TrackingEvents => Set<TrackingEvent>();
    public DbSet<TrackedThread> TrackedThreads => Set<TrackedThread>();
    public DbSet<ReportedReply> ReportedReplies => Set<ReportedReply>();
    public DbSet<ImapMailboxState> ImapMailboxStates => Set<ImapMailboxState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplySagaClassMap(new SendJobStateMap());
        // Inbox marks, outbox and scheduled messages live in the same database, so they commit with the state they
        // belong to.
        modelBuilder.AddInboxStateEntity();
        modelBuilder.AddOutboxMessageEntity();
        modelBuilder.AddOutboxStateEntity();
        modelBuilder.ApplyConfiguration(new JobRequestConfiguration());
        modelBuilder.ApplyConfiguration(new WebhookSubscriptionConfiguration());
        modelBuilder.ApplyConfiguration(new WebhookDeliveryAttemptConfiguration());
        modelBuilder.ApplyConfiguration(new TrackingKeyConfiguration());
        modelBuilder.ApplyConfiguration(new TrackingEventConfiguration());
        modelBuilder.ApplyConfiguration(new TrackedThreadConfiguration());
        modelBuilder.ApplyConfiguration(new ReportedReplyConfiguration());
        modelBuilder.ApplyConfiguration(new ImapMailboxStateConfiguration());

        modelBuilder.Entity<Account>(account =>
        {
            account.HasKey(x => x.Id);
            account.Property(x => x.Id).HasMaxLength(25);
            account.Property(x => x.ClientId).HasMaxLength(100);
            account.Property(x => x.EmailAddress).HasMaxLength(320);
            account.Property(x => x.Name).HasMaxLength(256);
            account.Property(x => x.Provider).HasMaxLength(20);
            account.Property(x => x.SmtpHost).HasMaxLength(255);
            account.Property(x => x.SmtpUsername).HasMaxLength(320);
            account.Property(x => x.ImapHost).HasMaxLength(255);
            account.Property(x => x.ImapUsername).HasMaxLength(320);
            account.HasIndex(x => new { x.ClientId, x.EmailAddress }).IsUnique();
        });

        modelBuilder.Entity<AccessToken>(token =>
        {
            token.HasKey(x => x.TokenHash);
            token.Property(x => x.TokenHash).HasMaxLength(64);
            token.Property(x => x.AccountId).HasMaxLength(25);
            token.HasIndex(x => x.AccountId);
            token.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<AuthorizationCode>(code =>
        {
            code.HasKey(x => x.CodeHash);
            code.Property(x => x.CodeHash).HasMaxLength(64);
            code.Property(x => x.AccountId).HasMaxLength(25);
            code.Property(x => x.ClientId).HasMaxLength(100);
            code.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
