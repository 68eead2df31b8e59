using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Outbox.Bus.Components.Data;
using Outbox.Bus.EntityFrameworkCore;

namespace Outbox.Bus.Components.StateMachines;

public sealed class SendJobStateMap : SagaClassMap<SendJobState>
{
    protected override void Configure(EntityTypeBuilder<SendJobState> entity, ModelBuilder model)
    {
        entity.ToTable("SendJobs");
        entity.Property(x => x.CurrentState).HasMaxLength(32);
        entity.Property(x => x.AccountId).HasMaxLength(25);
        entity.Property(x => x.MessageId).HasMaxLength(400);
        entity.Property(x => x.Reason).HasMaxLength(2000);
        entity.Property(x => x.Message).HasJsonConversion();
        entity.Property(x => x.Attempts).HasJsonConversion();
        entity.Property(x => x.WaitingResponseAddress).HasConversion(v => v == null ? null : v.ToString(), v => v == null ? null : new Uri(v));
        entity.Property(x => x.WaitingResponseAddress).HasMaxLength(1000);

        // The job-status listing: one account's jobs, newest first.
        entity.HasIndex(x => new { x.AccountId, x.CreatedAt });
    }
}
