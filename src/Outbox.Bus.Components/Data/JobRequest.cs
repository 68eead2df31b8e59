using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Data;

/// <summary>
/// A job the API has accepted and no saga has taken yet. The API writes it with the job's <see cref="ScheduleSend"/> in
/// one transaction; the saga deletes it in the transaction that creates the job's state. While it exists (a backlog, or
/// no saga worker running) the job-status API answers from it, so a 202 is readable at once without the API waiting
/// for the saga.
/// </summary>
public class JobRequest
{
    public Guid JobId { get; set; }
    public string AccountId { get; set; } = null!;
    public EmailMessage Message { get; set; } = null!;
    public DateTime SendAt { get; set; }
    public DateTime RetryLimit { get; set; }
    public DateTime RequestedAt { get; set; }

    public static JobRequest For(ScheduleSend command) => new()
    {
        JobId = command.JobId,
        AccountId = command.AccountId,
        Message = command.Message,
        SendAt = command.SendAt,
        RetryLimit = command.RetryLimit,
        RequestedAt = command.RequestedAt,
    };

    /// <summary>The job as the saga will start it, for reads: pending, no attempt yet.</summary>
    public SendJobState AsPendingJob() => new()
    {
        CorrelationId = JobId,
        CurrentState = nameof(SendJobStateMachine.Pending),
        AccountId = AccountId,
        Message = Message,
        MessageId = MessageIds.For(JobId, Message),
        CreatedAt = RequestedAt,
        UpdatedAt = RequestedAt,
        SendAt = SendAt,
        OriginalSendAt = SendAt,
        RetryLimit = RetryLimit,
    };
}

sealed class JobRequestConfiguration : IEntityTypeConfiguration<JobRequest>
{
    public void Configure(EntityTypeBuilder<JobRequest> entity)
    {
        entity.ToTable("JobRequests");
        entity.HasKey(x => x.JobId);
        entity.Property(x => x.AccountId).HasMaxLength(25);
        entity.Property(x => x.Message).HasJsonConversion();
        entity.HasIndex(x => new { x.AccountId, x.RequestedAt });
    }
}
